package io.shmbus.broker.cli;

import io.shmbus.broker.metrics.MetricsFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stat --watch} clears the screen only on a terminal: into a pipe or a file it writes its blocks one after
 * another, separated by an empty line, with no escape sequences.
 */
@Timeout(60)
class StatWatchOutputTest
{
    @Test
    void watchIntoAPipeWritesNoEscapes() throws Exception
    {
        try (MetricsFixture fixture = new MetricsFixture())
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final PrintStream printer = new PrintStream(out, true, StandardCharsets.UTF_8);
            final Thread watch = new Thread(() -> Main.run(
                new String[]{"stat", "--dir", fixture.shm.toString(), "--watch", "--interval", "10"},
                new ByteArrayInputStream(new byte[0]), printer, new PrintStream(new ByteArrayOutputStream(), true)));
            watch.start();
            try
            {
                MetricsFixture.awaitTrue(() -> count(out.toString(StandardCharsets.UTF_8), "broker pid ") >= 3,
                    "three blocks of stat --watch");
            }
            finally
            {
                watch.interrupt();
                watch.join(10_000);
            }
            final String text = out.toString(StandardCharsets.UTF_8);
            assertFalse(text.contains("\033"), "no escape sequence when the output is not a terminal: " + text);
            assertTrue(text.contains("\n\nbroker pid "), "blocks separated by an empty line: " + text);
        }
    }

    private static int count(final String text, final String what)
    {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1))
        {
            count++;
        }
        return count;
    }
}
