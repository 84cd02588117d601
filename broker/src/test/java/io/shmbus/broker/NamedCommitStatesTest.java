package io.shmbus.broker;

import io.shmbus.client.StartPosition;
import io.shmbus.client.TestDirs;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The crash points of a named consumer's commit, each built exactly on a real topic log, with the broker's steps
 * taken by hand in the order the conductor takes them ({@link NamedConsumers#onSlotReleased} before the slot is
 * freed, {@link NamedConsumers#pollCommits} at any time): a commit stored by a holder that died before the broker
 * read it; the holder's slot freed by its own process (its client found the broker unreachable) and reused by
 * another consumer before the broker read it; a broker restart right after it persisted.
 */
class NamedCommitStatesTest
{
    private static final long OTHER_PID = Long.MAX_VALUE - 1; // no process has it: the holder is dead

    private Path root;
    private TopicLog log;
    private ConsumerSlots slots;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "localack-states-");
        log = TopicLog.openOrCreate(root, "orders", 65536, 1024, 0, PosixFilePermissions.fromString("rw-------"),
            5_000);
        slots = new ConsumerSlots(log);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        log.close();
        TestDirs.delete(root);
    }

    private NamedConsumers named()
    {
        return new NamedConsumers("orders", slots, root.resolve("data"), false, Throwable::printStackTrace);
    }

    /** A slot activated by the broker for a consumer of process {@code pid}, as a registration does. */
    private int activate(final long pid)
    {
        final int slot = slots.reserve();
        slots.activate(slot, StartPosition.at(0), pid);
        return slot;
    }

    @Test
    void aCommitStoredByAHolderThatDiedBeforeTheBrokerReadItIsTakenWhenTheSlotIsFreed()
    {
        final NamedConsumers named = named();
        final int slot = activate(OTHER_PID);
        named.attach("billing", slot, OTHER_PID, 0);
        slots.committedPositionRelease(slot, 640); // the holder's last store; then it died

        named.onSlotReleased(slot); // the check of dead processes, before it frees the slot
        slots.release(slot);
        assertEquals(640, named.position("billing"));
        assertEquals(0, named.holderPidPlain("billing"), "the name is free");
        assertEquals(640, named().position("billing"), "persisted: a broker restarted now resumes it there");
    }

    @Test
    void aSlotFreedByItsHolderAndReusedByAnotherProcessMovesTheNameNoFurtherThanTheHolderGot()
    {
        final NamedConsumers named = named();
        final int slot = activate(OTHER_PID);
        named.attach("billing", slot, OTHER_PID, 0);
        slots.committedPositionRelease(slot, 640);
        slots.release(slot); // the holder's client freed its slot itself: it found the broker unreachable

        final int reused = activate(ProcessHandle.current().pid());
        assertEquals(slot, reused, "the same slot, taken by another process");
        slots.committedPositionRelease(reused, 6400);
        named.pollCommits();
        assertEquals(0, named.position("billing"),
            "neither the lost 640 (redelivered: at-least-once) nor the other consumer's 6400 (that would skip)");
    }

    @Test
    void aSlotFreedByItsHolderAndReusedByAnotherConsumerOfTheSameProcessDoesNotMoveTheName()
    {
        final long pid = ProcessHandle.current().pid();
        final NamedConsumers named = named();
        final int slot = activate(pid);
        named.attach("billing", slot, pid, 0);
        slots.committedPositionRelease(slot, 640);
        named.pollCommits();
        assertEquals(640, named.position("billing"));
        slots.release(slot); // the client freed the slot itself: it found the broker unreachable

        final int reused = activate(pid); // a new consumer of the same process, e.g. after it reconnected
        assertEquals(slot, reused, "the same slot, taken by the same process");
        slots.committedPositionRelease(reused, 6400);
        named.pollCommits();
        assertEquals(640, named.position("billing"), "another consumer's commit is not the holder's");
        named.onSlotReleased(reused);
        assertEquals(640, named.position("billing"), "nor when the broker frees the slot");
    }
}
