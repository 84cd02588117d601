package io.shmbus.broker.mirror;

import io.shmbus.broker.BrokerFixture;
import io.shmbus.broker.cli.CliRun;
import io.shmbus.client.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmbus.broker.mirror.MirroredTopic.WAIT_MS;
import static io.shmbus.broker.mirror.MirroredTopic.await;
import static io.shmbus.broker.mirror.MirroredTopic.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What happens to a mirror's topic under it: retention deletes frames the mirror has not sent (it says so and goes
 * on from the live edge), and the topic is deleted and made again (the mirror sends the new one from its first
 * position).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorOutTopicChangesTest
{
    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-changes-");
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
    void retentionDeletingWhatTheMirrorHasNotSentMovesItToTheLiveEdge() throws Exception
    {
        topic = new MirroredTopic(fixture, "retention.bytes = 256k\n");
        final BareAeronSubscriber subscriber = topic.subscribe();
        final Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        // the subscriber does not poll: the mirror is held while retention deletes the segments ahead of it
        for (int i = 0; i < 2048; i++)
        {
            topic.publish(producer, message(0, i, 1000));
        }
        final long archived = topic.awaitArchived();
        final long held = topic.counter("mirror-out m: position");
        assertTrue(held < archived - 512 * 1024, "the mirror was held at " + held);

        subscriber.awaitPolling(() -> topic.counter("mirror-out m: position") == archived, WAIT_MS,
            "the mirror to move to the live edge");
        assertTrue(fixture.log().contains("topic 'm': its mirror was held back past retention: position "),
            fixture.log());
        final long end = topic.publish(producer, message(0, 2048, 1000));
        subscriber.pollUntil(end, WAIT_MS);
        assertEquals(1, subscriber.problems().size(), "one jump: " + subscriber.problems());
        assertTrue(subscriber.problems().get(0).startsWith("frame at position " + archived + " where "),
            "to the live edge: " + subscriber.problems());
        assertEquals(2048, java.nio.ByteBuffer.wrap(subscriber.payloads.get(subscriber.payloads.size() - 1))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4));
    }

    @Test
    void aTopicDeletedAndMadeAgainIsFollowedFromItsFirstPosition() throws Exception
    {
        topic = new MirroredTopic(fixture);
        final BareAeronSubscriber subscriber = topic.subscribe();
        Producer producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        for (int i = 0; i < 10; i++)
        {
            topic.publish(producer, message(0, i, 100));
        }
        subscriber.pollUntil(topic.awaitArchived(), WAIT_MS);
        final long before = subscriber.nextPosition;
        producer.close();

        final CliRun deleted = CliRun.run("", "topic", "delete", MirroredTopic.TOPIC, "--yes", "--dir",
            fixture.shm().toString());
        assertEquals(0, deleted.code, deleted.stderr);
        producer = topic.bus.addProducer(MirroredTopic.TOPIC);
        final long end = topic.publish(producer, message(1, 0, 100));
        await(() -> topic.counter("topic m: archived position") >= end, "the new topic's archive");
        subscriber.awaitPolling(() -> subscriber.payloads.size() == 11, WAIT_MS, "the new topic's message");

        assertEquals(List.of("frame at position 0 where " + before + " was next"), subscriber.problems());
        assertArrayEquals(topic.segmentBytes(0, end), java.util.Arrays.copyOfRange(subscriber.bytes(),
            (int)before, subscriber.bytes().length), "the new topic's frames as stored");
    }
}
