package io.shmbus.ipc;

import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Builds exactly the crash point "a named consumer's commit is stored in its slot, its process is dead, and the
 * broker has not read the slot yet", without a random kill: the broker daemon is stopped with SIGSTOP, so it
 * cannot read anything, while the holder process stores its commit through {@link Consumer#commit()} and is
 * killed with SIGKILL; after SIGCONT the broker must take that commit (by its millisecond copy of commits or,
 * whichever runs first, by its check of dead processes before it frees the slot: {@code NamedCommitStatesTest}
 * builds the latter alone) and persist it; the next holder resumes there. Then the broker is killed with SIGKILL
 * right after it persisted the commit, and the next holder of a new broker resumes there too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NamedCommitCrashPointTest
{
    private static final String TOPIC = "acks";
    private static final String NAME = "billing";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void aCommitStoredByAHolderKilledBeforeTheBrokerReadItIsKeptAndSurvivesABrokerKill() throws IOException
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path dataDir = children.shmDirectory().resolve("data");
        final Path positionsFile = dataDir.resolve(TOPIC).resolve("named-consumers");
        JavaProcess broker = BrokerDaemon.start(children, "broker-1", dir, "--data-dir", dataDir.toString());
        SequencedMessages.publish(dir, TOPIC, 0, 10, 64);

        final JavaProcess holder = children.start("holder", NamedCommitHolderMain.class,
            dir.toString(), TOPIC, NAME, "4");
        final long handled = Long.parseLong(holder.awaitLine("READY position=", TIMEOUT).split("=")[1]);
        assertTrue(handled > 0, "four messages handled");

        signal("STOP", broker); // from here on the broker reads nothing
        final long committed;
        try
        {
            holder.send("commit");
            committed = Long.parseLong(holder.awaitLine("COMMITTED position=", TIMEOUT).split("=")[1]);
            assertEquals(handled, committed);
            ProcessHandle.of(holder.pid()).ifPresent(ProcessHandle::destroyForcibly);
            assertEquals(137, holder.awaitExit(TIMEOUT), "holder killed with SIGKILL");
            assertFalse(stored(positionsFile).contains(NAME + " " + committed), "the broker has not read it yet");
        }
        finally
        {
            signal("CONT", broker);
        }

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!stored(positionsFile).contains(NAME + " " + committed))
        {
            assertTrue(System.nanoTime() < deadline, "the dead holder's commit " + committed + " was not persisted " +
                "within 20 s: " + stored(positionsFile) + "\n" + broker.recentOutput());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertResumesAt(dir, committed, 4);

        // killed right after it persisted: a new broker reads the file
        ProcessHandle.of(broker.pid()).ifPresent(ProcessHandle::destroyForcibly);
        assertEquals(137, broker.awaitExit(TIMEOUT), "broker killed with SIGKILL");
        broker = BrokerDaemon.start(children, "broker-2", dir, "--data-dir", dataDir.toString());
        assertResumesAt(dir, committed, 4);
        assertEquals(0, broker.terminate(TIMEOUT), "broker stopped cleanly");
    }

    /** The next holder of the name starts at {@code position} and its first message is number {@code first}. */
    private static void assertResumesAt(final Path dir, final long position, final int first)
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir));
            Consumer consumer = bus.addNamedConsumer(TOPIC, NAME, StartPosition.LATEST))
        {
            assertEquals(position, consumer.position(), "the next holder resumes at the commit");
            final long[] number = {-1};
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (number[0] < 0)
            {
                assertTrue(System.nanoTime() < deadline, "no message at " + position + " within 20 s");
                if (0 == consumer.poll(
                    (buffer, offset, length, header) -> number[0] = SequencedMessages.sequence(buffer, offset), 1))
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            assertEquals(first, number[0], "the first message redelivered is the one after the commit");
        }
    }

    private static String stored(final Path positionsFile) throws IOException
    {
        return Files.exists(positionsFile) ? Files.readString(positionsFile) : "";
    }

    private static void signal(final String signal, final JavaProcess process)
    {
        try
        {
            final Process kill = new ProcessBuilder(List.of("kill", "-" + signal, Long.toString(process.pid())))
                .inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new AssertionError("cannot run kill -" + signal, ex);
        }
    }
}
