package io.shmbus.broker.logging;

import io.shmbus.broker.config.LogFormat;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.io.PrintStream;

/**
 * The broker's log: one line per event with an ISO-8601 UTC timestamp, a level and the component that wrote it
 * (broker, conductor, archiver, net, config), as text or JSON lines ({@link LogFormat}). Errors also go to the
 * distinct-error log in the CnC file when there is one ({@code shmbus errors} prints it). Thread-safe: each line is
 * one {@code println}. Allocates only when it writes: a broker that logs nothing allocates nothing here.
 */
public final class BrokerLogger
{
    public static final String BROKER = "broker";
    public static final String CONDUCTOR = "conductor";
    public static final String ARCHIVER = "archiver";
    public static final String NET = "net";
    public static final String MIRROR_OUT = "mirror-out";
    public static final String CONFIG = "config";
    public static final String MIRROR = "mirror";

    private final PrintStream out;
    private final LogFormat format;
    private final EpochClock clock;
    private final DistinctErrorLog errorLog;
    private volatile boolean errorLogFullReported;

    /**
     * @param errorLog where errors are recorded too, or null (before the CnC file exists, in tools).
     */
    public BrokerLogger(
        final PrintStream out, final LogFormat format, final EpochClock clock, final DistinctErrorLog errorLog)
    {
        this.out = out;
        this.format = format;
        this.clock = clock;
        this.errorLog = errorLog;
    }

    /** Text lines to that stream with the system clock, recording no errors (tests, tools). */
    public static BrokerLogger text(final PrintStream out)
    {
        return new BrokerLogger(out, LogFormat.TEXT, org.agrona.concurrent.SystemEpochClock.INSTANCE, null);
    }

    /** A logger writing to the same stream in the same format that also records errors in this log. */
    public BrokerLogger withErrorLog(final DistinctErrorLog errorLog)
    {
        return new BrokerLogger(out, format, clock, errorLog);
    }

    public void info(final String component, final String message)
    {
        write(LogLevel.INFO, component, message);
    }

    public void warn(final String component, final String message)
    {
        write(LogLevel.WARN, component, message);
    }

    /** Writes a line only: an error logged this way is recorded separately, with {@link #record}, if at all. */
    public void log(final LogLevel level, final String component, final String message)
    {
        write(level, component, message);
    }

    /** Logs an error the broker found and handled, and records it in the distinct-error log. */
    public void error(final String component, final String message)
    {
        write(LogLevel.ERROR, component, message);
        record(component, message);
    }

    /** Logs an unexpected exception and records it, with its stack trace, in the distinct-error log. */
    public void error(final String component, final Throwable error)
    {
        write(LogLevel.ERROR, component, String.valueOf(error));
        recordInErrorLog(error);
    }

    /**
     * Records an error in the distinct-error log only (its log line written separately, e.g. with details such as a
     * correlation id that would make every occurrence distinct).
     */
    public void record(final String component, final String message)
    {
        if (null != errorLog)
        {
            recordInErrorLog(new ReportedError(component, message));
        }
    }

    private void recordInErrorLog(final Throwable error)
    {
        if (null != errorLog && !errorLog.record(error) && !errorLogFullReported)
        {
            errorLogFullReported = true;
            write(LogLevel.WARN, BROKER, "the error log in the CnC file is full: new distinct errors are only " +
                "logged here (a longer one: shmbus.broker.error.log.length)");
        }
    }

    private void write(final LogLevel level, final String component, final String message)
    {
        out.println(LogLineFormat.format(format, clock.time(), level, component, message));
    }
}
