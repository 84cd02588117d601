package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerFixture;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.Producer;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.broker.mirror.MirroredTopic.SEGMENT_LENGTH;
import static io.shmbus.broker.mirror.MirroredTopic.WAIT_MS;
import static io.shmbus.broker.mirror.MirroredTopic.await;
import static io.shmbus.broker.mirror.MirroredTopic.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged storage ahead of the mirror: it sends every frame before the damaged one, then stops that topic's mirror
 * with the file, position and reason through the error handler and counters; the broker and the topic's producers
 * go on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorOutDamageTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-damage-");
    private MirroredTopic topic;

    @AfterEach
    void closeClients()
    {
        if (null != topic)
        {
            topic.close();
        }
    }

    @Test
    void aDamagedFrameStopsTheMirrorAfterEveryFrameBeforeIt() throws Exception
    {
        topic = new MirroredTopic(fixture);
        final BareAeronSubscriber subscriber = topic.subscribe();
        final Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        // the subscriber does not poll: the mirror is held some 100 KiB in while 2 MiB are archived
        for (int i = 0; i < 2048; i++)
        {
            topic.publish(producer, message(0, i, 1000));
        }
        final long archived = topic.awaitArchived();
        final long mirrorAt = topic.counter("mirror-out m: position");
        final long damagedAt = SegmentDescriptor.basePosition(mirrorAt + 1024 * 1024, SEGMENT_LENGTH);
        assertTrue(damagedAt + SEGMENT_LENGTH < archived, "a whole archived segment ahead of the mirror at " +
            mirrorAt);
        // a segment's first frame starts at its base: it now says it sits elsewhere
        try (FileChannel file = new RandomAccessFile(SegmentDescriptor.file(topic.topicDir(), damagedAt).toFile(),
            "rw").getChannel())
        {
            file.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, damagedAt + 4096),
                FrameDescriptor.POSITION_OFFSET);
        }
        final long errorsBefore = topic.counter("broker: errors");

        subscriber.pollUntil(damagedAt, WAIT_MS);
        await(() -> topic.counter("broker: errors") > errorsBefore, "the error to be reported");
        assertEquals(0, topic.counter(CounterTypes.MIRROR_OUT_CONNECTED), "the publication is closed");
        assertEquals(damagedAt, topic.counter(CounterTypes.MIRROR_OUT_POSITION));
        assertEquals(1, topic.counter(CounterTypes.ARCHIVE_DAMAGE_FOUND));
        assertTrue(fixture.log().contains("topic 'm': damaged archive in " +
            SegmentDescriptor.file(topic.topicDir(), damagedAt) + " at position " + damagedAt + ": frame says " +
            "position " + (damagedAt + 4096) + " but sits at " + damagedAt), fixture.log());
        for (int i = 0; i < 200; i++)
        {
            subscriber.poll();
        }
        assertEquals(List.of(), subscriber.problems());
        assertEquals(damagedAt, subscriber.nextPosition, "nothing at or after the damage was sent");
        assertArrayEquals(topic.segmentBytes(0, damagedAt), subscriber.bytes());

        // the broker goes on: the topic's producers too
        final long end = topic.publish(producer, message(0, 2048, 1000));
        await(() -> topic.counter("topic m: archived position") >= end, "the archive to go on");
    }
}
