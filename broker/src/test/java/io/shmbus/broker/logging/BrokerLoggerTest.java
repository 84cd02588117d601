package io.shmbus.broker.logging;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shmbus.broker.config.LogFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The broker's log lines: text with an ISO-8601 UTC timestamp, level and component; JSON lines that a JSON parser
 * reads back to the same fields, whatever the message holds; errors recorded in the distinct-error log.
 */
@Timeout(30)
class BrokerLoggerTest
{
    /** 2026-12-06T20:01:02.005Z */
    private static final long AT_MS = 1_796_587_262_005L;
    private static final Pattern TEXT_LINE =
        Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO|WARN|ERROR) [a-z]+: .*");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private BrokerLogger logger(final LogFormat format, final DistinctErrorLog errorLog)
    {
        return new BrokerLogger(new PrintStream(out, true, StandardCharsets.UTF_8), format, () -> AT_MS, errorLog);
    }

    private List<String> lines()
    {
        return List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
    }

    @Test
    void textLinesHaveTimestampLevelComponentAndMessage()
    {
        final BrokerLogger log = logger(LogFormat.TEXT, null);
        log.info(BrokerLogger.CONDUCTOR, "topic 'orders' ready");
        log.warn(BrokerLogger.NET, "refused /127.0.0.1:5000: MALFORMED_REQUEST: bad magic");
        log.error(BrokerLogger.ARCHIVER, "topic 'orders': DAMAGED archive");
        log.log(LogLevel.ERROR, BrokerLogger.BROKER, "x");
        assertEquals(List.of(
            "2026-12-06T20:01:02.005Z INFO conductor: topic 'orders' ready",
            "2026-12-06T20:01:02.005Z WARN net: refused /127.0.0.1:5000: MALFORMED_REQUEST: bad magic",
            "2026-12-06T20:01:02.005Z ERROR archiver: topic 'orders': DAMAGED archive",
            "2026-12-06T20:01:02.005Z ERROR broker: x"), lines());
        for (final String line : lines())
        {
            assertTrue(TEXT_LINE.matcher(line).matches(), line);
        }
    }

    @Test
    void aWholeSecondStillHasThreeDigitsOfMilliseconds()
    {
        assertEquals("1970-01-01T00:00:00.000Z", IsoTimestamps.utcMillis(0));
        assertEquals("2026-12-06T20:01:02.000Z", IsoTimestamps.utcMillis(AT_MS - 5));
    }

    @Test
    void jsonLinesParseBackToTheSameFields()
    {
        final String[] messages = {
            "plain",
            "a \"quoted\" name and a back\\slash",
            "two\nlines\r\nand a\ttab",
            "control \u0000 \u0001 \u001f \u007f end",
            "caf\u00e9 \u65e5\u672c \uD83D\uDE00 \u2028",
            "a lone surrogate \uD800 here",
            "</script> {\"not\": \"an object\"}",
            ""
        };
        final BrokerLogger log = logger(LogFormat.JSON, null);
        for (final String message : messages)
        {
            log.warn(BrokerLogger.NET, message);
        }
        log.info(BrokerLogger.CONFIG, "i");
        log.error(BrokerLogger.ARCHIVER, "e");

        final List<String> lines = lines();
        assertEquals(messages.length + 2, lines.size(), "one line per message, newlines escaped: " + lines);
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "plain ASCII: " + line);
            final JsonObject json = JsonParser.parseString(line).getAsJsonObject();
            assertEquals(4, json.size(), line);
            assertEquals("2026-12-06T20:01:02.005Z", json.get("ts").getAsString());
            if (i < messages.length)
            {
                assertEquals("WARN", json.get("level").getAsString());
                assertEquals("net", json.get("component").getAsString());
                assertEquals(messages[i], json.get("message").getAsString(), line);
            }
        }
        assertEquals("{\"ts\":\"2026-12-06T20:01:02.005Z\",\"level\":\"INFO\",\"component\":\"config\"," +
            "\"message\":\"i\"}", lines.get(messages.length));
        assertEquals("ERROR", JsonParser.parseString(lines.get(messages.length + 1)).getAsJsonObject()
            .get("level").getAsString());
        assertEquals("\"a \\\"q\\\" \\\\ \\n \\u0001 \\u00e9\"", quoted("a \"q\" \\ \n \u0001 \u00e9"));
    }

    private static String quoted(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        JsonStrings.appendQuoted(sb, text);
        return sb.toString();
    }

    @Test
    void errorsAreRecordedOnceWithACountAndWarningsAreNot()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final BrokerLogger log = logger(LogFormat.TEXT, new DistinctErrorLog(buffer, () -> AT_MS));
        log.warn(BrokerLogger.NET, "a warning");
        log.info(BrokerLogger.CONDUCTOR, "news");
        for (int i = 0; i < 3; i++)
        {
            log.error(BrokerLogger.ARCHIVER, "topic 't': DAMAGED archive in 0.seg at position 64");
        }
        log.record(BrokerLogger.CONDUCTOR, "rejected command: INVALID_TOPIC: bad name");
        final IllegalStateException bug = new IllegalStateException("a bug");
        log.error(BrokerLogger.CONDUCTOR, bug);
        log.error(BrokerLogger.CONDUCTOR, bug);

        final List<String> texts = new ArrayList<>();
        final List<Integer> counts = new ArrayList<>();
        ErrorLogReader.read(buffer, (count, first, last, text) ->
        {
            counts.add(count);
            texts.add(text);
        });
        assertEquals(3, texts.size(), texts.toString());
        assertEquals("archiver: topic 't': DAMAGED archive in 0.seg at position 64", texts.get(0).trim());
        assertEquals(3, counts.get(0));
        assertEquals("conductor: rejected command: INVALID_TOPIC: bad name", texts.get(1).trim());
        assertEquals(1, counts.get(1));
        assertTrue(texts.get(2).startsWith("java.lang.IllegalStateException: a bug"), texts.get(2));
        assertTrue(texts.get(2).contains("\tat io.shmbus.broker.logging.BrokerLoggerTest"), "with its stack trace");
        assertEquals(2, counts.get(2));
        assertTrue(lines().contains("2026-12-06T20:01:02.005Z ERROR conductor: java.lang.IllegalStateException: a bug"),
            lines().toString());
    }

    @Test
    void aFullErrorLogIsSaidOnceAndLinesStillGetWritten()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final BrokerLogger log = logger(LogFormat.TEXT, new DistinctErrorLog(buffer, () -> AT_MS));
        for (int i = 0; i < 20; i++)
        {
            log.error(BrokerLogger.ARCHIVER, "error number " + i + " with some words to fill the small log");
        }
        final long full = lines().stream().filter(l -> l.contains("the error log in the CnC file is full")).count();
        assertEquals(1, full, lines().toString());
        assertEquals(21, lines().size());
    }
}
