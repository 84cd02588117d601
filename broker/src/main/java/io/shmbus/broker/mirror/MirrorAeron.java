package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.shmbus.client.ConfigurationException;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The broker's way to Aeron, made only when the broker mirrors something: an {@link Aeron} client connected either
 * to a media driver the broker embeds in {@code <broker dir>/aeron} (one shared driver thread that backs off to
 * parking, named {@code <dir>/aeron [sender,receiver,driver-conductor]} by Aeron, and {@code aeron-executor} for name
 * resolution; its
 * directory removed at start and at close) or to an external driver in {@code aeron.dir}. A broker that
 * mirrors nothing never makes one, so it starts no driver, no thread and opens no port. The client has its own
 * conductor thread, {@code aeron-client}.
 * <p>
 * The client is thread-safe ({@link Aeron}'s own rules); {@link #close()} is idempotent and closes the client before
 * the driver.
 */
public final class MirrorAeron implements AutoCloseable
{
    /** The embedded driver's directory, in the broker's shared-memory directory. */
    public static final String EMBEDDED_DIR_NAME = "aeron";

    private final MediaDriver driver;
    private final Aeron aeron;
    private final String aeronDirectory;
    private boolean closed;

    private MirrorAeron(final MediaDriver driver, final Aeron aeron, final String aeronDirectory)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.aeronDirectory = aeronDirectory;
    }

    /**
     * Starts an embedded media driver in {@code <brokerDir>/aeron} when {@code aeronDir} is null, then connects a
     * client to the driver.
     *
     * @param brokerDir    the broker's shared-memory directory.
     * @param aeronDir     the directory of an external media driver, or null to embed one.
     * @param errorHandler gets the driver's and the client's errors.
     * @throws ConfigurationException when no driver runs in {@code aeronDir}.
     */
    public static MirrorAeron launch(final Path brokerDir, final String aeronDir, final ErrorHandler errorHandler)
    {
        MediaDriver driver = null;
        final String dir;
        if (null == aeronDir)
        {
            dir = brokerDir.resolve(EMBEDDED_DIR_NAME).toString();
            driver = launchDriver(dir, errorHandler);
        }
        else
        {
            dir = aeronDir;
            // Aeron would wait its driver timeout (10 s) for a driver that was never started: say so at once
            if (!Files.exists(Paths.get(aeronDir, CncFileDescriptor.CNC_FILE)))
            {
                throw new ConfigurationException("no Aeron media driver runs in " + aeronDir + " (aeron.dir): " +
                    "start one there, or leave aeron.dir unset and the broker embeds one");
            }
        }
        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(dir)
                .clientName("shmbus-broker")
                .errorHandler(errorHandler)
                .subscriberErrorHandler(errorHandler));
            return new MirrorAeron(driver, aeron, dir);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            if (null == driver)
            {
                throw new ConfigurationException("cannot connect to the Aeron media driver in " + aeronDir +
                    " (aeron.dir): " + ex.getMessage());
            }
            throw ex;
        }
    }

    /** The embedded driver; what a start that failed half way left of its directory is removed. */
    private static MediaDriver launchDriver(final String dir, final ErrorHandler errorHandler)
    {
        try
        {
            return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MILLISECONDS.toNanos(1)))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .errorHandler(errorHandler));
        }
        catch (final RuntimeException ex)
        {
            IoUtil.delete(new File(dir), true);
            throw ex;
        }
    }

    /** The client: publications and subscriptions are added through it. */
    public Aeron aeron()
    {
        return aeron;
    }

    /** The media driver's directory: the embedded one's, or {@code aeron.dir}. */
    public String aeronDirectory()
    {
        return aeronDirectory;
    }

    /** True when the broker runs the media driver itself. */
    public boolean isEmbedded()
    {
        return null != driver;
    }

    /** Closes the client (and with it every publication and subscription), then the embedded driver. */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(aeron, driver);
    }
}
