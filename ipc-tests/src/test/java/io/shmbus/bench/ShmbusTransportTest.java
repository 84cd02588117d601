package io.shmbus.bench;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shmbus transport publishes through the producer kind its child's {@code system} argument names: the system
 * {@code shmbus-exclusive} registers an exclusive producer, which the topic records as its owner; {@code shmbus} a
 * shared one. A broker in this process; the transports as the benchmark's child processes make them.
 */
class ShmbusTransportTest
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theSystemArgumentChoosesTheProducerKind() throws Exception
    {
        final Path root = BenchDirs.createFresh(BenchDirs.shmParent(), "shmbus-transport-test-");
        try
        {
            final Path dir = root.resolve("bus");
            final Path config = root.resolve("broker.conf");
            Files.writeString(config, "[topic.defaults]\ncapacity = 64k\n");
            try (Broker broker = Broker.launch(new BrokerContext().dir(dir).configFile(config)))
            {
                for (final BenchSystem system : BenchSystem.SHMBUS_PRODUCERS)
                {
                    final String topic = system.id();
                    try (Transport transport = Transport.create(new ChildArgs(new String[]{"system=" + system.id(),
                            "dir=" + dir}, 0));
                        BenchPublisher publisher = transport.publisher(topic, 1);
                        TopicLog log = TopicLog.open(TopicLog.fileOf(dir, topic), topic, 5_000))
                    {
                        assertEquals(BenchSystem.SHMBUS_EXCLUSIVE == system ? ProcessHandle.current().pid() : 0,
                            log.exclusiveOwnerPidVolatile(), system.id());
                    }
                }
            }
        }
        finally
        {
            BenchDirs.deleteRecursively(root);
        }
    }
}
