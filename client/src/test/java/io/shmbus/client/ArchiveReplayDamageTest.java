package io.shmbus.client;

import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrames;
import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A consumer reading a damaged archive: it delivers every sound frame before the damage, then reports the topic, the
 * file, the position and what is wrong ({@link DamagedStorageException}), and delivers nothing past it.
 */
class ArchiveReplayDamageTest
{
    private Path dir;
    private Path topicDir;
    private Path segment;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = TestDirs.create("archive-replay-damage");
        topicDir = dir.resolve("t");
        Files.createDirectories(topicDir);
        segment = SegmentDescriptor.file(topicDir, 0);
        StoredFrames.write(segment, 0, 1000, 64);
    }

    @AfterEach
    void tearDown()
    {
        TestDirs.delete(dir);
    }

    private DamagedStorageException replayUntilDamage(final IntArrayList seen)
    {
        final Header header = new Header();
        try (ArchiveReplay replay = new ArchiveReplay(topicDir, 0, 64000))
        {
            return assertThrows(DamagedStorageException.class, () ->
            {
                for (int i = 0; i < 2000; i++)
                {
                    replay.poll((b, o, l, h) -> seen.addInt(b.getInt(o)), 7, header);
                }
            });
        }
    }

    private static void assertPrefix(final IntArrayList seen, final int count)
    {
        assertEquals(count, seen.size(), seen.toString());
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, seen.getInt(i));
        }
    }

    @Test
    void aLengthNearIntMaxIsReportedAfterTheSoundFrames() throws IOException
    {
        StoredFrames.putInt(segment, 20 * 64, 0x7FFF_FFFF);
        final IntArrayList seen = new IntArrayList();
        final DamagedStorageException ex = replayUntilDamage(seen);
        assertPrefix(seen, 20);
        assertEquals(1280, ex.position());
        assertEquals("t", ex.topic());
        assertEquals(segment, ex.file());
        assertTrue(ex.reason().contains("larger than the largest frame"), ex.reason());
    }

    @Test
    void aFrameNamingAnotherPositionIsReported() throws IOException
    {
        StoredFrames.putInt(segment, 300 * 64 + 8, 12345);
        final IntArrayList seen = new IntArrayList();
        final DamagedStorageException ex = replayUntilDamage(seen);
        assertPrefix(seen, 300);
        assertEquals(300 * 64, ex.position());
        assertTrue(ex.reason().contains("frame says position"), ex.reason());
    }

    @Test
    void aTruncatedSegmentIsDamageNotAMissingPosition() throws IOException
    {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE))
        {
            channel.truncate(32000);
        }
        final IntArrayList seen = new IntArrayList();
        final DamagedStorageException ex = replayUntilDamage(seen);
        assertPrefix(seen, 500);
        assertEquals(32000, ex.position());
        assertTrue(ex.reason().contains("truncated"), ex.reason());
    }
}
