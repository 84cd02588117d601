package io.shmbus.broker.mirror;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.nio.file.Path;

/**
 * The broker's Aeron: an embedded media driver in {@code <brokerDir>/aeron} (one shared thread, backing off when
 * idle) and a client connected to it, or only a client of an external driver. Made only by a broker that mirrors.
 * <p>
 * {@link #close()} is idempotent; the {@link Aeron} client is thread-safe.
 */
public final class MirrorAeron implements AutoCloseable
{
    private final MediaDriver driver;
    private final Aeron aeron;
    private boolean closed;

    private MirrorAeron(final MediaDriver driver, final Aeron aeron)
    {
        this.driver = driver;
        this.aeron = aeron;
    }

    /**
     * @param aeronDir the directory of an external media driver, or null for an embedded one.
     */
    public static MirrorAeron launch(final Path brokerDir, final String aeronDir, final ErrorHandler errorHandler)
    {
        MediaDriver driver = null;
        try
        {
            final String dir;
            if (null == aeronDir)
            {
                driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(brokerDir.resolve("aeron").toString())
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .errorHandler(errorHandler));
                dir = driver.aeronDirectoryName();
            }
            else
            {
                dir = aeronDir;
            }
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir).errorHandler(errorHandler));
            return new MirrorAeron(driver, aeron);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public String aeronDirectory()
    {
        return aeron.context().aeronDirectoryName();
    }

    public boolean isEmbedded()
    {
        return null != driver;
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.closeAll(aeron, driver);
        }
    }
}
