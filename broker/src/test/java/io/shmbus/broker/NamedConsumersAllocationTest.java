package io.shmbus.broker;

import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.LogDescriptor;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker's copy of named consumers' commits ({@link NamedConsumers#pollCommits()}) allocates nothing, however
 * often the positions move, and takes each commit of the slot's holder, not of a later owner of the slot.
 */
class NamedConsumersAllocationTest
{
    @Test
    void copyingCommitsAllocatesNothingAndTakesOnlyTheHoldersCommits() throws IOException
    {
        final Path dir = Files.createTempDirectory(Paths.get("/dev/shm"), "named-alloc-");
        try (TopicLog log = TopicLog.openOrCreate(dir, "orders", 65536, 1024, 0,
            PosixFilePermissions.fromString("rw-------"), 5_000))
        {
            final ConsumerSlots slots = new ConsumerSlots(log);
            final int slot = slots.reserve();
            slots.activate(slot, StartPosition.EARLIEST);
            final long pid = ProcessHandle.current().pid();
            final NamedConsumers named = new NamedConsumers("orders", slots, null, false, Throwable::printStackTrace);
            named.attach("billing", slot, pid, 0);
            assertEquals(LogDescriptor.NO_COMMIT, slots.committedPositionVolatile(slot));
            assertEquals(0, named.pollCommits(), "nothing committed yet");

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long self = Thread.currentThread().getId();
            for (int round = 0; round < 3; round++) // the first rounds warm up (class loading, compilation)
            {
                final long before = threads.getThreadAllocatedBytes(self);
                for (long i = 1; i <= 100_000; i++)
                {
                    slots.committedPositionRelease(slot, (round * 100_000L + i) * 64);
                    assertEquals(1, named.pollCommits());
                }
                final long allocated = threads.getThreadAllocatedBytes(self) - before;
                if (2 == round)
                {
                    assertEquals(0, allocated, "bytes allocated by 100,000 commits copied");
                }
            }
            assertEquals(300_000L * 64, named.position("billing"));

            named.onSlotReleased(slot);
            slots.release(slot);
            assertEquals(0, named.holderPidPlain("billing"), "the name is free");
            final int reused = slots.reserve();
            slots.activate(reused, StartPosition.EARLIEST);
            slots.committedPositionRelease(reused, 64);
            assertEquals(0, named.pollCommits(), "a later owner of the slot does not move the name");
            assertEquals(300_000L * 64, named.position("billing"));
        }
        finally
        {
            try (Stream<Path> paths = Files.walk(dir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
