package io.shmbus.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedTraceTest
{
    // perf script -F comm,pid,tid,cpu,time,trace over sched:sched_switch; pid 100 is ping (spinner tid 104),
    // pid 200 the broker (conductor tid 205), pid 300 pong (spinner tid 303); 999 is some other process
    private static final String[] TRACE = {
        "         swapper     0/0     [000]  10.000000: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=java next_pid=104 next_prio=120",
        "         swapper     0/0     [001]  10.000001: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=java next_pid=303 next_prio=120",
        // the broker's conductor wakes and takes ping's CPU for 40 µs
        "            java   100/104   [000]  10.100000: prev_comm=java prev_pid=104 prev_prio=120 prev_state=R ==> next_comm=shmbus-broker-c next_pid=205 next_prio=120",
        " shmbus-broker-c   200/205   [000]  10.100040: prev_comm=shmbus-broker-c prev_pid=205 prev_prio=120 prev_state=S ==> next_comm=java next_pid=104 next_prio=120",
        // a foreign C2 compiler thread takes pong's CPU for 2 ms
        "            java   300/303   [001]  10.200000: prev_comm=java prev_pid=303 prev_prio=120 prev_state=R+ ==> next_comm=C2 CompilerThre next_pid=999 next_prio=120",
        " C2 CompilerThre   900/999   [001]  10.202000: prev_comm=C2 CompilerThre prev_pid=999 prev_prio=120 prev_state=S ==> next_comm=java next_pid=303 next_prio=120",
        // pong's own conductor thread, asleep in between: a voluntary switch of a non-spinner is not counted
        "            java   300/303   [001]  10.300000: prev_comm=java prev_pid=303 prev_prio=120 prev_state=R ==> next_comm=shmbus-client-c next_pid=310 next_prio=120",
        " shmbus-client-c   300/310   [001]  10.300005: prev_comm=shmbus-client-c prev_pid=310 prev_prio=120 prev_state=S ==> next_comm=java next_pid=303 next_prio=120",
        "            java   100/104   [000]  11.000000: prev_comm=java prev_pid=104 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120",
        "            java   300/303   [001]  11.000000: prev_comm=java prev_pid=303 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120",
        "not a scheduler line",
    };

    @Test
    void countsInvoluntarySwitchesOfEachSpinnerAndNamesWhoTookTheCpu()
    {
        final SchedTrace trace = new SchedTrace(Map.of(100L, "ping", 200L, "shmbus-broker", 300L, "pong"));
        for (final String line : TRACE)
        {
            trace.accept(line);
        }
        assertEquals(1, trace.unparsed());

        final List<SchedTrace.Spinner> spinners = trace.spinners();
        assertEquals(2, spinners.size());
        final SchedTrace.Spinner ping = spinners.get(0);
        assertEquals("ping", ping.role);
        assertEquals(104, ping.tid);
        assertEquals(1, ping.preemptions.size());
        assertEquals("shmbus-broker process: shmbus-broker-c", trace.describe(ping.preemptions.get(0)));
        assertEquals(40.0, ping.preemptions.get(0).offCpuMicros(), 0.01);
        assertEquals(1, ping.voluntary);

        final SchedTrace.Spinner pong = spinners.get(1);
        assertEquals(303, pong.tid);
        assertEquals(2, pong.preemptions.size());
        assertEquals("other: C2 CompilerThre", trace.describe(pong.preemptions.get(0)));
        assertEquals(2000.0, pong.preemptions.get(0).offCpuMicros(), 0.01);
        assertEquals("pong process: shmbus-client-c", trace.describe(pong.preemptions.get(1)));

        final String report = trace.report("test");
        assertTrue(report.contains("| ping (pid 100, tid 104) |"), report);
        assertTrue(report.contains("| other: C2 CompilerThre | 1 | 2.00 | 2000.0 |"), report);
    }

    @Test
    void aWindowKeepsOnlyTheSwitchesInsideIt()
    {
        final SchedTrace trace = new SchedTrace(Map.of(100L, "ping", 200L, "shmbus-broker", 300L, "pong"))
            .window(10.15, 10.35) // after the broker's switch of ping, around both of pong's
            .pingFaults(12, 0);
        for (final String line : TRACE)
        {
            trace.accept(line);
        }
        final List<SchedTrace.Spinner> spinners = trace.spinners();
        assertEquals(0, spinners.get(0).preemptions.size());
        assertEquals(2, spinners.get(1).preemptions.size());
        assertEquals(0.2, spinners.get(1).countedSeconds(trace), 1e-9);
        final String report = trace.report("windowed");
        assertTrue(report.contains("recorded window only"), report);
        assertTrue(report.contains("Page faults of the ping process in the window: 12 minor, 0 major."), report);
        assertThrows(IllegalArgumentException.class, () -> new SchedTrace(Map.of()).window(2, 1));
    }

    @Test
    void percentileOfSortedValues()
    {
        final double[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, SchedTrace.percentile(values, 50));
        assertEquals(10, SchedTrace.percentile(values, 99));
        assertTrue(Double.isNaN(SchedTrace.percentile(new double[0], 50)));
    }
}
