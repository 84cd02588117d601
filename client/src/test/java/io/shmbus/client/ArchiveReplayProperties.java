package io.shmbus.client;

import io.shmbus.client.log.DamagedSegment;
import io.shmbus.client.log.SegmentDescriptor;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A consumer reading a segment file with one random damage ({@link DamagedSegment}) through {@link ArchiveReplay}:
 * it delivers every frame of the intact prefix, unchanged and in order, then either reaches the end or reports the
 * damage as a {@link ShmbusException} ({@link DamagedStorageException} with the file and a position at or after the
 * intact prefix); it never throws anything else and never loops (the polls are bounded). A changed payload byte is
 * not visible to a header check: {@code shmbus verify} finds those (the broker's properties).
 */
class ArchiveReplayProperties
{
    private static Path dir;
    private static Path topicDir;

    @BeforeContainer
    static void createDirectory() throws IOException
    {
        dir = TestDirs.create("archive-replay-properties");
        topicDir = dir.resolve("t");
        Files.createDirectories(topicDir);
    }

    @AfterContainer
    static void deleteDirectory()
    {
        TestDirs.delete(dir);
    }

    @Provide
    Arbitrary<DamagedSegment> segments()
    {
        return DamagedSegment.arbitrary();
    }

    @Property(tries = 3000)
    void deliversTheIntactPrefixThenReachesTheEndOrReportsTheDamage(@ForAll("segments") final DamagedSegment c)
        throws IOException
    {
        final Path segment = SegmentDescriptor.file(topicDir, 0);
        Files.write(segment, c.damaged);
        final List<long[]> delivered = new ArrayList<>();
        final Header header = new Header();
        RuntimeException failure = null;
        try (ArchiveReplay replay = new ArchiveReplay(topicDir, 0, c.end()))
        {
            for (int polls = 0; polls < 2 * c.frames() + 2 && !replay.isDone(); polls++)
            {
                replay.poll((buffer, offset, length, h) ->
                {
                    final byte[] payload = new byte[length];
                    buffer.getBytes(offset, payload);
                    delivered.add(new long[]{h.position(), length, Arrays.hashCode(payload)});
                }, 3, header);
            }
            assertTrue(replay.isDone(), "the replay reached its end within the bounded polls: " + c);
        }
        catch (final ShmbusException ex)
        {
            failure = ex;
        }
        int data = 0;
        for (int i = 0; i < c.intactFrames(); i++)
        {
            if (!c.isData(i))
            {
                continue;
            }
            assertTrue(data < delivered.size(), "intact message " + i + " delivered: " + c + "; " + failure);
            final long[] d = delivered.get(data++);
            assertEquals(c.starts[i], d[0], c.toString());
            assertEquals(c.frameLength(i) - 32, d[1], c.toString());
            assertEquals(Arrays.hashCode(Arrays.copyOfRange(c.original, (int)c.starts[i] + 32,
                (int)c.starts[i] + c.frameLength(i))), d[2], c.toString());
        }
        if (failure instanceof DamagedStorageException)
        {
            final DamagedStorageException damage = (DamagedStorageException)failure;
            assertEquals(segment, damage.file(), c.toString());
            assertEquals("t", damage.topic(), c.toString());
            assertTrue(damage.position() >= c.intactEnd(), "reported inside the intact prefix: " + damage + "; " + c);
        }
        else if (null != failure)
        {
            assertTrue(failure instanceof PositionUnavailableException, failure + "; " + c);
        }
        if (c.firstChangedByte() < 0)
        {
            assertNull(failure, "an undamaged segment reads to its end: " + c);
        }
    }
}
