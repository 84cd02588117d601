package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a broker starts for mirrors received: a mirror thread and Aeron only when it has a {@code [mirror NAME]}, and
 * nothing at all when a mirror cannot be persistent.
 */
@Timeout(30)
class MirrorBrokerStartTest
{
    private static final String MIRROR = "[mirror m]\nchannel = aeron:udp?endpoint=127.0.0.1:1\n" +
        "source = 127.0.0.1:1\n";

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-in-start-");

    private static boolean mirrorThreadRuns()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals(MirrorReceiver.ROLE_NAME));
    }

    @Test
    void aBrokerWithoutMirrorsStartsNoMirrorThreadAndNoAeron() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "");
        assertFalse(mirrorThreadRuns());
        assertFalse(Files.exists(fixture.shm().resolve("aeron")));
    }

    @Test
    void aBrokerWithAMirrorRunsTheMirrorThreadUntilItStops() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), MIRROR);
        assertTrue(mirrorThreadRuns());
        assertTrue(Files.isDirectory(fixture.shm().resolve("aeron")), "the embedded media driver's directory");
        fixture.stop();
        assertFalse(mirrorThreadRuns());
        assertFalse(Files.exists(fixture.shm().resolve("aeron")), "removed at the stop");
    }

    @Test
    void aMirrorWithoutADataDirectoryIsRefusedAtStart()
    {
        final ConfigurationException refused = assertThrows(ConfigurationException.class,
            () -> fixture.launchSmall(null, MIRROR));
        assertTrue(refused.getMessage().startsWith("mirror 'm' (" + fixture.root().resolve("broker.conf") +
            ":3) needs a data directory (--data-dir)"), refused.getMessage());
        assertFalse(mirrorThreadRuns());
        assertFalse(Files.exists(fixture.shm().resolve("cnc.dat")));
    }
}
