package io.shmbus.broker;

import io.shmbus.broker.status.CounterFinder;
import io.shmbus.broker.status.CounterTypes;
import io.shmbus.client.BrokerErrorException;
import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.ControlProtocol;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker holds a few hundred topics, each with a producer and a consumer, and every one of them has its counters
 * in the CnC file: the counters area is sized for that, not for a few dozen; a topic beyond its room is refused
 * with a clear error before anything of it is made.
 */
class ManyTopicsTest
{
    private static final int TOPICS = 300;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ByteArrayOutputStream brokerLog = new ByteArrayOutputStream();
    private Path root;

    @BeforeEach
    void setUp() throws Exception
    {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "shmbus-many-topics-");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(toClose.get(i));
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private ShmBus start(final Path dataDir) throws Exception
    {
        final Path dir = root.resolve("bus");
        final Path config = Files.writeString(root.resolve("broker.conf"), "segment.length = 64k\n" +
            "[topic.defaults]\ncapacity = 64k\n");
        final Broker broker = Broker.launch(new BrokerContext().dir(dir).dataDir(dataDir).configFile(config)
            .log(new PrintStream(brokerLog, true)));
        toClose.add(broker);
        final ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(dir).brokerTimeoutMs(2_000)
            .requestTimeoutMs(5_000));
        toClose.add(bus);
        return bus;
    }

    private CountersReader counters() throws Exception
    {
        final CncFile cnc = CncFile.map(CncFile.fileIn(root.resolve("bus")));
        toClose.add(cnc);
        return new CountersReader(cnc.countersMetadata(), cnc.countersValues(), StandardCharsets.US_ASCII);
    }

    @Test
    void aPersistentTopicTakesAtMostTheCountersTheConductorMakesRoomFor() throws Exception
    {
        final ShmBus bus = start(root.resolve("data"));
        toClose.add(bus.addProducer("p"));
        final CountersReader reader = counters();
        final int[] ofTopic = {0};
        reader.forEach((id, typeId, key, label) ->
        {
            if (CounterTypes.isTopicScoped(typeId) && label.startsWith("topic p:"))
            {
                ofTopic[0]++;
            }
        });
        assertEquals(TopicState.MAX_COUNTERS, ofTopic[0], "counters of a persistent topic with no consumer");
    }

    @Test
    void aTopicWithNoRoomForItsCountersIsRefusedAndTheBrokerGoesOn() throws Exception
    {
        final ShmBus bus = start(null);
        final Producer first = bus.addProducer("t0");
        toClose.add(first);
        int made = 1;
        BrokerErrorException refused = null;
        while (null == refused && made < 2_000)
        {
            try
            {
                toClose.add(bus.addProducer("t" + made));
                made++;
            }
            catch (final BrokerErrorException ex)
            {
                refused = ex;
            }
        }
        assertNotNull(refused, made + " topics and no refusal");
        assertTrue(made > 500, made + " topics fit");
        assertEquals(ControlProtocol.ERROR_RESOURCE_EXHAUSTED, refused.errorCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("no room for the counters of topic 't" + made + "'"),
            refused.getMessage());
        assertFalse(Files.exists(root.resolve("bus").resolve("t" + made + ".log")), "nothing of the refused topic");

        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertTrue(first.offer(message, 0, message.capacity()) > 0, "an existing topic still serves");
        assertEquals(-1, brokerLog.toString().indexOf(" ERROR "), brokerLog.toString());
    }

    @Test
    void everyTopicOfSeveralHundredHasItsCounters() throws Exception
    {
        final ShmBus bus = start(null);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < TOPICS; i++)
        {
            final String topic = "t" + i;
            final Consumer consumer = bus.addConsumer(topic, StartPosition.EARLIEST);
            toClose.add(consumer);
            final Producer producer = bus.addProducer(topic);
            toClose.add(producer);
            producer.offer(message, 0, message.capacity());
        }

        final CountersReader reader = counters();
        for (int i = 0; i < TOPICS; i++)
        {
            assertNotEquals(CountersReader.NULL_COUNTER_ID,
                CounterFinder.find(reader, CounterTypes.TOPIC_TAIL_POSITION, "t" + i),
                "the tail counter of topic t" + i + "; broker log:\n" + brokerLog);
        }
        assertEquals(-1, brokerLog.toString().indexOf(" ERROR "), brokerLog.toString());
    }
}
