package io.shmbus.broker.cli;

import io.shmbus.client.remote.RemoteConsumer;
import io.shmbus.client.remote.UnknownTopicException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * {@code shmbus subscribe --remote}: a {@link RemoteConsumer} that waits, within the {@link WaitPolicy}, for the
 * broker's network server to accept the connection (retrying with the consumer's own backoff) and for the topic
 * to appear, then prints messages until {@code --count}, the end of a bounded replay, or Ctrl-C. Once subscribed,
 * a lost connection is resumed by the consumer at the next position. Runs on the command's thread.
 */
final class RemoteSubscription
{
    /** How often it asks again for a topic the broker does not have yet. */
    private static final long TOPIC_RETRY_MS = 200;

    private final Supplier<RemoteConsumer.Context> contexts;
    private final String where;
    private final long count;
    private final WaitPolicy wait;
    private final MessageLines lines;
    private final ShutdownSignal signal;
    private final PrintStream err;
    private RemoteConsumer consumer;
    private String lastReport;
    private String connectFailure;

    /**
     * @param contexts a new, unconcluded context for each subscription attempt, its error handler not yet set.
     * @param where    the topic and address, for messages.
     */
    RemoteSubscription(
        final Supplier<RemoteConsumer.Context> contexts,
        final String where,
        final long count,
        final WaitPolicy wait,
        final MessageLines lines,
        final ShutdownSignal signal,
        final PrintStream err)
    {
        this.contexts = contexts;
        this.where = where;
        this.count = count;
        this.wait = wait;
        this.lines = lines;
        this.signal = signal;
        this.err = err;
    }

    /** @return the exit code. */
    int run()
    {
        final long waitStartNs = System.nanoTime();
        boolean waitingForTopic = false;
        boolean subscribed = false;
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        while (!signal.stopRequested())
        {
            try (RemoteConsumer remote = RemoteConsumer.subscribe(contexts.get().errorHandler(this::onError)))
            {
                consumer = remote;
                final boolean named = null != remote.context().consumerName();
                while (!signal.stopRequested() && lines.received() < count && !remote.isEnded())
                {
                    final int n = remote.poll(lines, (int)Math.min(256, count - lines.received()));
                    subscribed |= RemoteConsumer.State.CONNECTED == remote.state();
                    if (named && n > 0)
                    {
                        // printed before acknowledged: a crash in between prints them again, never loses them; the
                        // acknowledgement goes out with the next poll, or at the close
                        lines.flush();
                        remote.commit();
                    }
                    else if (0 == n)
                    {
                        lines.flush();
                        if (null != connectFailure && RemoteConsumer.State.CONNECTING == remote.state() &&
                            !wait.allows(waitStartNs))
                        {
                            err.println("shmbus subscribe: error: " + withoutRetry(connectFailure) +
                                wait.gaveUp());
                            return Main.EXIT_FAILURE;
                        }
                    }
                    idle.idle(n);
                }
                return Main.EXIT_OK;
            }
            catch (final UnknownTopicException ex)
            {
                // a topic that existed and went away is not waited for: the stream would start again elsewhere
                if (subscribed || !wait.allows(waitStartNs))
                {
                    err.println("shmbus subscribe: error: " + ex.getMessage() +
                        (subscribed ? "" : wait.gaveUp()));
                    return Main.EXIT_FAILURE;
                }
                if (!waitingForTopic)
                {
                    err.println("shmbus subscribe: waiting for topic " + where + " to appear (" + wait.limit() + ")");
                    waitingForTopic = true;
                }
                signal.pause(TOPIC_RETRY_MS);
            }
        }
        return Main.EXIT_OK;
    }

    /**
     * Reports a failed attempt once per distinct reason (the consumer retries with a growing backoff, up to seconds
     * apart, and a repeated line says nothing new). Before the first subscription succeeded, only a command that
     * waits retries: one that does not gives up at the next poll and must not promise a retry.
     */
    private void onError(final Throwable error)
    {
        final String message = error.getMessage();
        final boolean firstConnection = null != consumer && RemoteConsumer.State.CONNECTING == consumer.state();
        if (firstConnection)
        {
            connectFailure = message; // the latest reason is the one to give when it gives up
        }
        if (firstConnection && !wait.waits())
        {
            return; // reported, without the retry, when run() gives up
        }
        final String reason = withoutRetry(message);
        if (!reason.equals(lastReport))
        {
            lastReport = reason;
            err.println("shmbus subscribe: " + message + (firstConnection ? " (waiting " + wait.limit() + ")" : ""));
        }
    }

    /** The consumer's message without the retry it announces, for a command that is not going to retry. */
    private static String withoutRetry(final String message)
    {
        return message.replaceFirst("; (retrying in \\d+ ms|reconnecting)$", "");
    }
}
