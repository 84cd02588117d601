package io.shmbus.broker.logging;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The one JSON string rule of the project (broker log lines, benchmark results, soak reports): RFC 8259 string
 * literals in plain ASCII, read back by a real parser as the text that was written.
 */
class JsonStringsTest
{
    static Stream<Arguments> cases()
    {
        return Stream.of(
            arguments("", "\"\""),
            arguments("plain text 123", "\"plain text 123\""),
            arguments("a \"q\" \\ /", "\"a \\\"q\\\" \\\\ /\""),
            arguments("\n\r\t", "\"\\n\\r\\t\""),
            arguments("\u0000\u0001\u001f\b\f", "\"\\u0000\\u0001\\u001f\\u0008\\u000c\""),
            arguments("\u007f", "\"\\u007f\""),
            arguments("caf\u00e9 \u20ac", "\"caf\\u00e9 \\u20ac\""),
            arguments("\ud83d\ude00", "\"\\ud83d\\ude00\""),
            arguments("cut \ud800", "\"cut \\ud800\""));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void quotesAsPlainAsciiThatParsesBackToTheText(final String text, final String expected)
    {
        final String quoted = JsonStrings.quote(text);

        assertEquals(expected, quoted);
        assertTrue(quoted.chars().allMatch(c -> c >= 0x20 && c < 0x7f), quoted);
        assertEquals(text, JsonParser.parseString(quoted).getAsString());
        final StringBuilder sb = new StringBuilder("x");
        JsonStrings.appendQuoted(sb, text);
        assertEquals("x" + expected, sb.toString(), "the same rule appended");
    }

    @Test
    void nullIsJsonNull()
    {
        assertEquals("null", JsonStrings.quote(null));
    }
}
