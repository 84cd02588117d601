package io.shmbus.broker.net;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Idles an agent by waiting in its selector, so a socket event wakes it at once; the wait is bounded (the agent
 * also has timers and polls the archive). The keys found ready are handed to the agent's handler at once, as
 * {@link Selector#select(Consumer, long)} does, without the selected-key set (whose additions allocate). Used on
 * the network server's thread only.
 */
final class SelectorIdleStrategy implements IdleStrategy
{
    private final Selector selector;
    private final Consumer<SelectionKey> readyKeyHandler;
    private final LongSupplier waitMs;
    private final ErrorHandler errorHandler;

    /**
     * @param readyKeyHandler takes each key found ready while waiting.
     * @param waitMs          how long one idle may wait, asked before each wait.
     */
    SelectorIdleStrategy(
        final Selector selector,
        final Consumer<SelectionKey> readyKeyHandler,
        final LongSupplier waitMs,
        final ErrorHandler errorHandler)
    {
        this.selector = selector;
        this.readyKeyHandler = readyKeyHandler;
        this.waitMs = waitMs;
        this.errorHandler = errorHandler;
    }

    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    public void idle()
    {
        final long ms = waitMs.getAsLong();
        try
        {
            selector.select(readyKeyHandler, ms);
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms)); // never a busy loop on a broken selector
        }
        catch (final ClosedSelectorException ignore)
        {
            // the server is closing
        }
    }

    public void reset()
    {
    }
}
