package io.shmbus.broker.logging;

import io.shmbus.broker.config.LogFormat;

/**
 * Writes one log line in a {@link LogFormat}: text is {@code 2026-12-06T20:01:02.345Z INFO conductor: message},
 * JSON is {@code {"ts":"2026-12-06T20:01:02.345Z","level":"INFO","component":"conductor","message":"..."}}.
 * Stateless and thread-safe.
 */
final class LogLineFormat
{
    private LogLineFormat()
    {
    }

    static String format(
        final LogFormat format, final long epochMs, final LogLevel level, final String component, final String message)
    {
        final StringBuilder line = new StringBuilder(64 + message.length());
        if (LogFormat.JSON == format)
        {
            line.append("{\"ts\":\"");
            IsoTimestamps.appendUtcMillis(line, epochMs);
            line.append("\",\"level\":\"").append(level.name()).append("\",\"component\":");
            JsonStrings.appendQuoted(line, component);
            line.append(",\"message\":");
            JsonStrings.appendQuoted(line, message);
            line.append('}');
        }
        else
        {
            IsoTimestamps.appendUtcMillis(line, epochMs);
            line.append(' ').append(level.name()).append(' ').append(component).append(": ").append(message);
        }
        return line.toString();
    }
}
