package io.shmbus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

/**
 * Measures, over one run, how much CPU the machine spent outside the benchmark's own processes (other processes,
 * the kernel on their behalf, and time stolen by the hypervisor), and how much the Aeron media driver used. On a
 * two-CPU machine any third busy process takes its time straight from a spinning producer or consumer, so this
 * tells which runs were disturbed.
 * <p>
 * Reads {@code /proc/stat} (clock ticks) and the processes' CPU times; used by the parent's main thread.
 */
final class CpuMeter
{
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private final int nproc;
    private final ProcessHandle driver;
    private final long startWallNs;
    private final long startMachineBusyNs;
    private final long startParentNs;
    private final long startDriverNs;

    private CpuMeter(final int nproc, final ProcessHandle driver)
    {
        this.nproc = nproc;
        this.driver = driver;
        this.startWallNs = System.nanoTime();
        this.startMachineBusyNs = machineBusyNs();
        this.startParentNs = cpuNs(ProcessHandle.current());
        this.startDriverNs = null == driver ? 0 : cpuNs(driver);
    }

    /** Starts measuring now; {@code driver} is null when no media driver runs. */
    static CpuMeter start(final int nproc, final ChildProcess driver)
    {
        return new CpuMeter(nproc, null == driver ? null : ProcessHandle.of(driver.pid()).orElse(null));
    }

    /**
     * @param children the run's children, still alive: all their CPU time falls inside the window.
     * @return the share of the machine used by others, and the driver's share of one CPU, in percent.
     */
    Usage stop(final ChildProcess... children)
    {
        final long wallNs = System.nanoTime() - startWallNs;
        final long busyNs = machineBusyNs() - startMachineBusyNs;
        long oursNs = cpuNs(ProcessHandle.current()) - startParentNs;
        for (final ChildProcess child : children)
        {
            if (null != child)
            {
                oursNs += ProcessHandle.of(child.pid()).map(CpuMeter::cpuNs).orElse(0L);
            }
        }
        final long driverNs = null == driver ? 0 : cpuNs(driver) - startDriverNs;
        oursNs += driverNs;
        if (startMachineBusyNs < 0 || wallNs <= 0)
        {
            return new Usage(Double.NaN, Double.NaN);
        }
        final double otherPct = 100.0 * Math.max(0, busyNs - oursNs) / ((double)wallNs * nproc);
        final double driverPct = null == driver ? Double.NaN : 100.0 * driverNs / wallNs;
        return new Usage(otherPct, driverPct);
    }

    /** CPU shares of one run, in percent; NaN when unknown. */
    record Usage(double otherPctOfMachine, double driverPctOfOneCpu)
    {
    }

    private static long cpuNs(final ProcessHandle process)
    {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Busy time of all CPUs since boot: user, nice, system, irq, softirq and steal; -1 when unknown. */
    private static long machineBusyNs()
    {
        try
        {
            final List<String> lines = Files.readAllLines(Paths.get("/proc/stat"));
            final String[] f = lines.get(0).trim().split("\\s+");
            if (!"cpu".equals(f[0]) || f.length < 9)
            {
                return -1;
            }
            final long ticks = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) +
                Long.parseLong(f[6]) + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            return ticks * NANOS_PER_TICK;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
