package io.shmbus.broker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class ProcessLivenessTest
{
    private final ProcessLiveness liveness = new ProcessLiveness();

    @Test
    void tellsALiveProcessFromAnExitedOneWithoutAllocatingForAKnownPid() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final Process child = new ProcessBuilder("sleep", "60").start();
        try
        {
            final long pid = child.pid();
            boolean alive = true;
            for (int i = 0; i < 20_000; i++)
            {
                alive &= liveness.isAlive(pid); // warm up: the first call keeps the handle, then the JIT
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++)
            {
                alive &= liveness.isAlive(pid);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(alive, "the child is alive");
            assertEquals(0, allocated, "bytes allocated by 100000 checks of a live, known pid");

            child.destroy();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child exited");
            assertFalse(liveness.isAlive(pid), "an exited process is not alive");
        }
        finally
        {
            child.destroyForcibly();
        }
    }

    @Test
    void thisProcessIsAliveAndNoPidIsNot()
    {
        assertTrue(liveness.isAlive(ProcessHandle.current().pid()));
        assertFalse(liveness.isAlive(0));
        assertFalse(liveness.isAlive(-1));
    }
}
