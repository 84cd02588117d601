package io.shmbus.ipc;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link JavaProcess#kill}: a child killed with SIGKILL loses none of the lines it wrote before it died, though the
 * parent had not read them yet (tests count a killed child's output, e.g. what a named consumer processed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JavaProcessKillTest
{
    private static final int LINES = 20_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @RepeatedTest(3)
    void aKilledChildsLastLinesAreAllSeen()
    {
        final Path marker = children.shmDirectory().resolve("printed");
        final JavaProcess child = children.start("printer", LinesThenSleepMain.class,
            String.valueOf(LINES), marker.toString());
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(marker))
        {
            if (System.nanoTime() > deadlineNs || !child.isAlive())
            {
                throw child.failure("did not create " + marker + " after printing " + LINES + " lines");
            }
            LockSupport.parkNanos(100_000);
        }

        assertTrue(child.kill(TIMEOUT), "killed " + child);

        final List<String> lines = child.stdoutLines();
        assertEquals(LINES, lines.size(), "every line printed before the kill: " + child.recentOutput());
        for (int i = 0; i < LINES; i++)
        {
            assertEquals("line " + i, lines.get(i));
        }
    }
}
