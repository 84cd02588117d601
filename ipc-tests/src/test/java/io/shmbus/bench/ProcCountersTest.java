package io.shmbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code /proc} parsers of {@link ProcCounters} on files read from a Linux 6.18 machine, and one reading of this
 * very process.
 */
@Timeout(10)
class ProcCountersTest
{
    /** /proc/PID/stat of a bash: minflt 12516, majflt 0, utime 4, stime 12. */
    private static final String BASH_STAT = "32434 (bash) S 32423 32434 32434 0 -1 4194560 12516 896442 0 11 4 12 " +
        "7144 2012 20 0 1 0 1215243 5468160 1063 18446744073709551615 94670685691904 94670686481309 " +
        "140735606480464 0 0 0 65536 4 1132560123 1 0 0 17 0 0 0 0 0 0 94670686714608 94670686762852 " +
        "94671052787712 140735606487933 140735606487948 140735606487948 140735606489066 0\n";

    /** The tail of /proc/PID/status of the same bash. */
    private static final String BASH_STATUS = String.join("\n",
        "Name:\tbash",
        "State:\tS (sleeping)",
        "Tgid:\t32434",
        "Threads:\t1",
        "Cpus_allowed_list:\t0-1",
        "Mems_allowed_list:\t0",
        "voluntary_ctxt_switches:\t263",
        "nonvoluntary_ctxt_switches:\t805",
        "");

    @Test
    void statGivesTimesAndFaults()
    {
        final long[] stat = ProcCounters.parseStat(BASH_STAT);
        assertArrayEquals(new long[]{4, 12, 12516, 0}, stat); // utime, stime, minflt, majflt
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields()
    {
        final long[] stat = ProcCounters.parseStat(BASH_STAT.replace("(bash)", "(a b) (c)"));
        assertArrayEquals(new long[]{4, 12, 12516, 0}, stat);
    }

    @Test
    void statusGivesBothSwitchCounts()
    {
        assertArrayEquals(new long[]{263, 805}, ProcCounters.parseSwitches(BASH_STATUS));
        assertThrows(IllegalArgumentException.class,
            () -> ProcCounters.parseSwitches(BASH_STATUS.replace("nonvoluntary_ctxt_switches:\t805", "")));
    }

    @Test
    void schedstatGivesNanosecondsOnCpu()
    {
        assertEquals(177607334L, ProcCounters.parseSchedstatNs("177607334 810685282 1060\n"));
    }

    @Test
    void aThreadThatExitsInTheWindowIsCountedAsExitedAndNeverNegative()
    {
        final Map<Long, long[]> atStart = Map.of(1L, new long[]{1_000, 10, 1}, 2L, new long[]{5_000, 50, 5});
        final Map<Long, long[]> atEnd = Map.of(1L, new long[]{3_000, 12, 1}, 3L, new long[]{700, 4, 2});
        final ProcCounters window = new ProcCounters.Snapshot(10, 10, 100, 0, atEnd)
            .since(new ProcCounters.Snapshot(10, 10, 90, 0, atStart));
        assertEquals(2_000 + 700, window.cpuNs()); // thread 1's delta and the new thread 3 from zero
        assertEquals(2 + 4, window.voluntarySwitches());
        assertEquals(0 + 2, window.involuntarySwitches());
        assertEquals(1, window.exitedThreads()); // thread 2
        assertEquals(10, window.minorFaults());
    }

    @Test
    void ticksOfExitedThreadsRaiseTheCpuTime()
    {
        final Map<Long, long[]> one = Map.of(1L, new long[]{0, 0, 0});
        final ProcCounters window = new ProcCounters.Snapshot(13, 5, 0, 0, one)
            .since(new ProcCounters.Snapshot(10, 4, 0, 0, Map.of(1L, new long[]{0, 0, 0}, 2L, new long[]{0, 0, 0})));
        assertEquals(4 * ProcCounters.NANOS_PER_TICK, window.cpuNs()); // 3 user + 1 system tick, no schedstat
        assertEquals(0.25, window.systemShare(), 1e-9);
    }

    @Test
    void notAStatLineIsAClearError()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ProcCounters.parseStat("no such process"));
        assertTrue(ex.getMessage().contains("/proc/PID/stat"), ex.getMessage());
    }

    @Test
    void thisProcessCountsCpuAndSwitchesOverAllItsThreads() throws Exception
    {
        final long pid = ProcessHandle.current().pid();
        final CountDownLatch slept = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ProcCounters.Snapshot before = ProcCounters.read(pid);
        final Thread sleeper = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < 5; i++)
                {
                    Thread.sleep(1); // each sleep is a voluntary switch of this thread, not of the main one
                }
                slept.countDown();
                release.await(); // alive until read: an exited thread takes its switches with it
            }
            catch (final InterruptedException ignore)
            {
                // the test ends
            }
        });
        sleeper.start();
        try
        {
            assertTrue(slept.await(5, TimeUnit.SECONDS));
            long spin = 0;
            for (final long end = System.nanoTime() + 20_000_000L; System.nanoTime() < end; )
            {
                spin++;
            }
            final ProcCounters delta = ProcCounters.read(pid).since(before);
            assertTrue(spin > 0);
            assertTrue(delta.cpuNs() >= 10_000_000L, delta.toString()); // 20 ms of spinning, on a busy machine
            assertTrue(delta.voluntarySwitches() >= 5, delta.toString());
            assertEquals(0, delta.exitedThreads(), delta.toString());
        }
        finally
        {
            release.countDown();
            sleeper.join(5_000);
        }
    }
}
