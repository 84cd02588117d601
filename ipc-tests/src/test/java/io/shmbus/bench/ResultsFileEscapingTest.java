package io.shmbus.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strings of a results file follow the broker log's JSON rule ({@code JsonStrings}, one copy): plain ASCII,
 * every other character a backslash-u escape, so a lone surrogate (a name cut in half) cannot make the file
 * invalid UTF-8 and a reader sees the text as written.
 */
class ResultsFileEscapingTest
{
    @Test
    void nonAsciiCharactersAreEscapedAsInTheBrokerLog()
    {
        final String json = new ResultsFile().meta("host", "caf\u00e9 \ud83d\ude00 \ud800 \u007f \"q\" \\ \t").json();

        assertTrue(json.contains("\"host\": \"caf\\u00e9 \\ud83d\\ude00 \\ud800 \\u007f \\\"q\\\" \\\\ \\t\""), json);
        assertEquals(0, json.chars().filter(c -> c >= 0x7f).count(), "plain ASCII: " + json);
    }

    @Test
    void aMissingValueIsJsonNull()
    {
        assertTrue(new ResultsFile().meta("host", null).json().contains("\"host\": null"));
    }
}
