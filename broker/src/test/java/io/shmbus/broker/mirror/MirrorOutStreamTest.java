package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerFixture;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.shmbus.broker.mirror.MirroredTopic.MAX_PAYLOAD;
import static io.shmbus.broker.mirror.MirroredTopic.WAIT_MS;
import static io.shmbus.broker.mirror.MirroredTopic.await;
import static io.shmbus.broker.mirror.MirroredTopic.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mirrored-out topic's live stream read by a bare Aeron subscription on its own media driver over loopback UDP:
 * whole frames, contiguous, byte for byte the topic's segment files; starting at the live edge; and never holding
 * the topic's producers back, whether nobody listens or the one subscriber stops reading.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorOutStreamTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-stream-");
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
    void everyFrameArrivesWholeInOrderAndAsStored() throws Exception
    {
        topic = new MirroredTopic(fixture);
        final BareAeronSubscriber subscriber = topic.subscribe();
        final int perProducer = 300;
        final Thread[] producers = new Thread[2];
        final List<Throwable> failures = new ArrayList<>();
        for (int p = 0; p < producers.length; p++)
        {
            final int id = p;
            final Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
            producers[p] = new Thread(() ->
            {
                try
                {
                    final Random sizes = new Random(id);
                    for (int i = 0; i < perProducer; i++)
                    {
                        // now and then a message far longer than one Aeron message's payload, and the longest
                        final int length = 0 == i % 50 ? MAX_PAYLOAD : 0 == i % 7 ? 2000 + sizes.nextInt(4000) :
                            8 + sizes.nextInt(300);
                        topic.publish(producer, message(id, i, length));
                    }
                }
                catch (final Throwable t)
                {
                    synchronized (failures)
                    {
                        failures.add(t);
                    }
                }
            });
            producers[p].start();
        }
        for (final Thread producer : producers)
        {
            producer.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        final long archived = topic.awaitArchived();
        subscriber.pollUntil(archived, WAIT_MS);

        assertEquals(List.of(), subscriber.problems());
        assertEquals(0, subscriber.firstPosition);
        assertEquals(archived, subscriber.nextPosition);
        assertEquals(2 * perProducer, subscriber.payloads.size());
        final int[] next = new int[producers.length];
        for (final byte[] payload : subscriber.payloads)
        {
            final ByteBuffer header = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(next[header.getInt(0)]++, header.getInt(4), "producer " + header.getInt(0) + "'s order");
        }
        assertTrue(subscriber.largestMessage > 1500, "a message longer than a UDP datagram arrived whole (largest " +
            subscriber.largestMessage + ")");
        assertArrayEquals(topic.segmentBytes(0, archived), subscriber.bytes(), "the stream is the segment files");
        await(() -> topic.counter(CounterTypes.MIRROR_OUT_POSITION) == archived, "the position counter");
        assertEquals(archived, topic.counter("mirror-out m: position"));
        assertEquals(1, topic.counter(CounterTypes.MIRROR_OUT_CONNECTED));
    }

    @Test
    void startsAtTheLiveEdge() throws Exception
    {
        topic = new MirroredTopic(fixture);
        final Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        for (int i = 0; i < 100; i++)
        {
            topic.publish(producer, message(0, i, 100));
        }
        final long edge = topic.awaitArchived();
        await(() -> topic.counter("mirror-out m: position") == edge, "the mirror to stay at the live edge " + edge);

        final BareAeronSubscriber subscriber = topic.subscribe();
        for (int i = 100; i < 150; i++)
        {
            topic.publish(producer, message(0, i, 100));
        }
        final long archived = topic.awaitArchived();
        subscriber.pollUntil(archived, WAIT_MS);

        assertEquals(List.of(), subscriber.problems());
        assertEquals(edge, subscriber.firstPosition, "the first frame sent is the one at the live edge");
        assertEquals(50, subscriber.payloads.size());
        assertEquals(100, ByteBuffer.wrap(subscriber.payloads.get(0)).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        assertArrayEquals(topic.segmentBytes(edge, archived), subscriber.bytes());
    }

    @Test
    void nobodyListeningNeverHoldsTheProducers() throws Exception
    {
        topic = new MirroredTopic(fixture);
        final Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        final int messages = 4096; // 4 MiB through a 64 KiB ring
        for (int i = 0; i < messages; i++)
        {
            topic.publish(producer, message(0, i, 1000));
        }
        final long archived = topic.awaitArchived();
        await(() -> topic.counter("mirror-out m: position") == archived, "the mirror to stay at the live edge");
        assertEquals(0, topic.counter("mirror-out m: connected"));
    }

    @Test
    void aSubscriberThatStopsReadingNeverHoldsTheProducers() throws Exception
    {
        topic = new MirroredTopic(fixture);
        final BareAeronSubscriber subscriber = topic.subscribe();
        final Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        for (int i = 0; i < 20; i++)
        {
            topic.publish(producer, message(0, i, 100));
        }
        subscriber.pollUntil(topic.awaitArchived(), WAIT_MS);

        // the subscriber stops polling: its image fills, Aeron's flow control holds the publication
        final int messages = 4096;
        for (int i = 20; i < messages; i++)
        {
            topic.publish(producer, message(0, i, 1000));
        }
        final long archived = topic.awaitArchived();
        assertTrue(topic.counter("mirror-out m: back pressured") > 0, "the mirror was held back");
        assertTrue(topic.counter("mirror-out m: position") < archived, "the mirror fell behind the archive");

        subscriber.pollUntil(archived, WAIT_MS); // and then it sends every frame, from where it was
        assertEquals(List.of(), subscriber.problems());
        assertEquals(messages, subscriber.payloads.size());
        assertArrayEquals(topic.segmentBytes(0, archived), subscriber.bytes());
    }
}
