package io.shmbus.broker.mirror;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md's live stream section gives the default stream id rule with a worked value: it is the one
 * {@link MirrorStreamIds} computes, so a subscriber written from the page agrees with the broker.
 */
class LiveStreamDocTest
{
    private static final Path DOC = Paths.get("..", "docs", "protocol.md");

    @Test
    void theWorkedStreamIdIsWhatTheBrokerComputes() throws IOException
    {
        final String page = Files.readString(DOC, StandardCharsets.UTF_8);
        final int section = page.indexOf("## Live stream: a mirrored topic over Aeron");
        assertTrue(section >= 0, "docs/protocol.md has the live stream section");
        final int id = MirrorStreamIds.defaultStreamId("123456789");
        final String worked = "`0x" + Integer.toHexString(id).toUpperCase() + "`, " + id + ")";
        assertTrue(page.indexOf(worked, section) > section, "the section gives " + worked);
    }
}
