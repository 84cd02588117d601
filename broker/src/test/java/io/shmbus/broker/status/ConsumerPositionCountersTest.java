package io.shmbus.broker.status;

import io.shmbus.client.ShmDirectory;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.ConsumerSlots;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ConsumerPositionCounters}: a counter per consumer slot in use, keyed by the slot, not for the archiver's
 * slot, freed with the slot, and no failure when the CnC file has no counter left (the consumer goes unmeasured).
 */
@Timeout(30)
class ConsumerPositionCountersTest
{
    private Path dir;
    private TopicLog log;
    private ConsumerSlots slots;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "metrics-slots-");
        log = TopicLog.openOrCreate(dir, "slots", 64 * 1024, 1024, 0, ShmDirectory.parseFilePermissions("rw-------"),
            1_000);
        slots = new ConsumerSlots(log);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        log.close();
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aCounterPerConsumerSlotButTheArchiversFreedWithTheSlot()
    {
        final CountersManager counters = counters(16);
        final int archiver = activate();
        final int first = activate();
        final int second = activate();
        try (ConsumerPositionCounters positions = new ConsumerPositionCounters("slots", log, counters))
        {
            slots.positionRelease(second, 4096);
            positions.update(archiver);
            assertEquals(List.of((long)first, (long)second), consumerIds(counters));
            assertEquals(4096, counters.getCounterValue(idOf(counters, second)));

            slots.release(first);
            positions.update(archiver);
            assertEquals(List.of((long)second), consumerIds(counters));
        }
        assertEquals(List.of(), consumerIds(counters), "closed with the topic");
    }

    @Test
    void noCounterLeftLeavesAConsumerUnmeasuredWithoutFailing()
    {
        final CountersManager counters = counters(1);
        final int first = activate();
        final int second = activate();
        try (ConsumerPositionCounters positions = new ConsumerPositionCounters("slots", log, counters))
        {
            positions.update(-1);
            positions.update(-1);
            assertEquals(List.of((long)first), consumerIds(counters));

            slots.release(first);
            positions.update(-1); // the first's counter is freed; the second's owner was already found unmeasured
            positions.update(-1);
            assertEquals(List.of(), consumerIds(counters));
            slots.release(second);
            final int third = activate();
            positions.update(-1); // a slot that comes into use again is tried again
            assertEquals(List.of((long)third), consumerIds(counters));
        }
    }

    private int activate()
    {
        final int slot = slots.reserve();
        slots.activate(slot, StartPosition.EARLIEST, ProcessHandle.current().pid());
        return slot;
    }

    private static CountersManager counters(final int capacity)
    {
        return new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH)));
    }

    private static int idOf(final CountersReader counters, final int slot)
    {
        final int[] found = {-1};
        counters.forEach((id, type, key, label) ->
        {
            if (CounterTypes.CONSUMER_LOCAL_POSITION == type && CounterKey.consumerId(key, 0) == slot)
            {
                found[0] = id;
            }
        });
        return found[0];
    }

    private static List<Long> consumerIds(final CountersReader counters)
    {
        final List<Long> ids = new ArrayList<>();
        counters.forEach((id, type, key, label) ->
        {
            if (CounterTypes.CONSUMER_LOCAL_POSITION == type && CounterKey.isTopic(key, 0, "slots"))
            {
                ids.add(CounterKey.consumerId(key, 0));
            }
        });
        return ids;
    }
}
