package io.shmbus.broker.cli;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.StartPosition;

/**
 * The {@code --from} option of {@code subscribe} and {@code replay}, checked as a user mistake: a start that is not
 * one, or a time in the future. A time to come has no message stamped at or after it yet, and the broker would
 * start such a consumer at the tail, so every message sent before that time would be printed as if it were
 * after it: refused rather than taken for {@code latest}. Stateless.
 */
final class StartOptions
{
    private StartOptions()
    {
    }

    /**
     * @throws UsageException for a start that is not one, or a time after now.
     */
    static StartPosition start(final Args args, final String command, final String option, final String defaultValue)
    {
        final String text = args.get(option, defaultValue);
        final StartPosition start;
        try
        {
            start = StartPosition.parse(text);
        }
        catch (final ConfigurationException ex)
        {
            throw new UsageException(command, option + ": " + ex.getMessage());
        }
        if (start.isTime())
        {
            final long nowNs = System.currentTimeMillis() * 1_000_000L;
            if (start.epochNs() > nowNs)
            {
                throw new UsageException(command, option + " " + text + " is in the future (now is " +
                    java.time.Instant.ofEpochMilli(nowNs / 1_000_000L) + "): no message is stamped that late yet" +
                    ("subscribe".equals(command) ? "; --from latest prints what is sent from now on" : ""));
            }
        }
        return start;
    }

    /**
     * A replay's start: as {@link #start}, but not {@code latest}, which would replay nothing.
     *
     * @throws UsageException for {@code latest}, a start that is not one, or a time after now.
     */
    static StartPosition replayStart(final Args args, final String command)
    {
        final String text = args.get("--from", "earliest");
        if ("latest".equalsIgnoreCase(text))
        {
            throw new UsageException(command, "--from latest would replay nothing: a replay ends at the tail when " +
                "it starts; give earliest, a position or an ISO-8601 time");
        }
        try
        {
            return start(args, command, "--from", "earliest");
        }
        catch (final UsageException ex)
        {
            if (ex.getMessage().contains("'latest'"))
            {
                throw new UsageException(command, "--from must be 'earliest', a position (a non-negative " +
                    "integer) or an ISO-8601 time (2026-11-26T01:00:00Z): '" + text + "'");
            }
            throw ex;
        }
    }
}
