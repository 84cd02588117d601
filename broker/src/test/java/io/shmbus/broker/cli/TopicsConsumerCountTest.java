package io.shmbus.broker.cli;

import io.shmbus.broker.BrokerCounterValues;
import io.shmbus.broker.metrics.MetricsFixture;
import io.shmbus.client.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code topics} and {@code stat} agree on a persistent topic's consumers: the archiver holds a consumer slot to
 * hold producers back, but it is the broker's, not a user's consumer, so neither counts it.
 */
@Timeout(60)
class TopicsConsumerCountTest
{
    @Test
    void theArchiverIsNotCountedAsAConsumer() throws Exception
    {
        try (MetricsFixture fixture = new MetricsFixture())
        {
            fixture.publish("archived", 10, 16);
            try (Consumer consumer = fixture.consumerThatRead("archived", 10))
            {
                MetricsFixture.awaitTrue(() -> 1 == BrokerCounterValues.value(fixture.shm, "topic archived: consumers"),
                    "stat's consumer count of topic archived to be 1");
                final CliRun topics = CliRun.run("", "topics", "--dir", fixture.shm.toString());
                assertEquals(0, topics.code, topics.stderr);
                final String row = topics.stdout.lines().filter(l -> l.startsWith("archived ")).findFirst()
                    .orElseThrow();
                assertTrue(row.endsWith(" 1"), "one consumer, as stat says: " + topics.stdout);
                assertEquals(1, topics.stdout.lines().filter(l -> l.contains("consumer slot=")).count(),
                    "one consumer line, not the archiver's: " + topics.stdout);
            }
        }
    }
}
