package io.shmbus.broker.metrics;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MetricsText}: what the text format allows, and a clear error naming the line for what it does not. */
class MetricsTextTest
{
    @Test
    void parsesFamiliesLabelsEscapesAndSpecialValues()
    {
        final MetricsText text = MetricsText.parse(
            "# HELP a_total Things \\\\ counted\\nhere\n" +
            "# TYPE a_total counter\n" +
            "a_total{topic=\"x\\\"y\",kind=\"local\"} 12.0\n" +
            "a_total{topic=\"z\"} 3 1700000000000\n" +
            "# a comment\n" +
            "\n" +
            "# TYPE g gauge\n" +
            "# HELP g Gauge\n" +
            "g +Inf\n" +
            "# TYPE s summary\n" +
            "s_count 4\n" +
            "# EOF\n");
        assertEquals(3, text.families().size());
        assertEquals("Things \\ counted\nhere", text.family("a_total").help());
        assertEquals("counter", text.family("a_total").type());
        assertEquals(Map.of("topic", "x\"y", "kind", "local"), text.samples("a_total").get(0).labels);
        assertEquals(12.0, text.value("a_total", "topic", "x\"y"));
        assertEquals(3.0, text.value("a_total", "topic", "z"));
        assertEquals(Double.NaN, text.value("a_total", "topic", "none"));
        assertEquals(Double.POSITIVE_INFINITY, text.value("g"));
        assertEquals(4.0, text.value("s_count"));
    }

    @Test
    void rejectsWhatIsNotTheFormatNamingTheLine()
    {
        assertError("line 1: sample of 'orphan' before any HELP or TYPE of its family", "orphan 1\n");
        assertError("line 2: 'x' is not a number", "# TYPE a gauge\na x\n");
        assertError("line 2: the value of label 't' is not quoted", "# TYPE a gauge\na{t=1} 1\n");
        assertError("line 2: the value of label 't' does not end", "# TYPE a gauge\na{t=\"1} 1\n");
        assertError("line 1: unknown type 'meter'", "# TYPE a meter\n");
        assertError("line 1: not a sample: no metric name", "<html><body>not metrics</body></html>\n");
        assertError("line 1: bad metric name 'a-b'", "# HELP a-b x\n");
        assertError("line 2: label 't' twice", "# TYPE a gauge\na{t=\"1\",t=\"2\"} 1\n");
    }

    private static void assertError(final String expected, final String text)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> MetricsText.parse(text));
        assertTrue(ex.getMessage().startsWith(expected), ex.getMessage());
    }
}
