package io.shmbus.broker.cli;

import io.shmbus.broker.config.Durations;
import io.shmbus.client.ConfigurationException;

import java.util.Set;

/**
 * How long {@code shmbus subscribe} and {@code publish} wait for what they need and do not have yet: a broker to
 * connect to, a topic to appear, a broker to come back. {@code --wait DURATION} bounds the wait, {@code --no-wait}
 * fails at once; without either a command that waits by default (a live subscription) waits until Ctrl-C, any
 * other fails at once. Immutable.
 */
final class WaitPolicy
{
    static final String OPTION = "--wait";
    static final String NO_WAIT = "--no-wait";
    static final Set<String> FLAGS = Set.of(NO_WAIT);

    private final long timeoutNs;
    private final String text;

    private WaitPolicy(final long timeoutNs, final String text)
    {
        this.timeoutNs = timeoutNs;
        this.text = text;
    }

    /**
     * @param waitByDefault whether the command waits without limit when neither option is given.
     * @throws UsageException for both options at once or a duration that is not one.
     */
    static WaitPolicy parse(final Args args, final String command, final boolean waitByDefault)
    {
        if (args.has(OPTION) && args.has(NO_WAIT))
        {
            throw new UsageException(command, OPTION + " and " + NO_WAIT + " exclude each other");
        }
        if (args.has(NO_WAIT))
        {
            return new WaitPolicy(0, null);
        }
        if (args.has(OPTION))
        {
            final String value = args.get(OPTION, null);
            try
            {
                return new WaitPolicy(Durations.parseNs(OPTION, value), value);
            }
            catch (final ConfigurationException ex)
            {
                throw new UsageException(command, ex.getMessage());
            }
        }
        return waitByDefault ? new WaitPolicy(Long.MAX_VALUE, null) : new WaitPolicy(0, null);
    }

    /** False for {@code --no-wait}, or for a command that does not wait by default and was not told to. */
    boolean waits()
    {
        return timeoutNs > 0;
    }

    /** True while a wait that began at {@code startNs} ({@link System#nanoTime()}) may go on. */
    boolean allows(final long startNs)
    {
        return Long.MAX_VALUE == timeoutNs || (timeoutNs > 0 && System.nanoTime() - startNs < timeoutNs);
    }

    /** How long it waits, for messages: "until Ctrl-C" or "up to 5s". */
    String limit()
    {
        return Long.MAX_VALUE == timeoutNs ? "until Ctrl-C; --wait DURATION to limit it, --no-wait not to wait" :
            "up to " + OPTION + " " + text;
    }

    /** The end of a message when it gives up: " (gave up after waiting 5s)", or nothing when it did not wait. */
    String gaveUp()
    {
        return waits() ? " (gave up after waiting " + (null != text ? text : "") + ")" : "";
    }
}
