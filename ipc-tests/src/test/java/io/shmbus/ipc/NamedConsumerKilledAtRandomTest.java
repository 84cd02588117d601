package io.shmbus.ipc;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A durable named consumer process is killed with SIGKILL at random instants and restarted each time, with the
 * broker daemon restarted once in between, while its topic (archived, with a ring far smaller than the stream)
 * receives numbered messages. Every message must be handled at least once, and, with the handler's effect made
 * idempotent by position (here: the test applies a message only if its position is beyond the last one applied),
 * exactly once and in order. A second process asking for the held name is refused, naming the holder. The consumer
 * holds the name locally (through shared memory) or remotely (a {@code RemoteConsumer} over TCP, its
 * acknowledgements sent as COMMIT messages).
 * <p>
 * The run stops at {@code shmbus.named.kills} kills (20; half that for the remote consumer) or after
 * {@code shmbus.named.budget.s} seconds (60; half for the remote one) of killing, whichever comes first.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NamedConsumerKilledAtRandomTest
{
    private static final String TOPIC = "named-kills";
    private static final String NAME = "billing";
    private static final int MESSAGES = 20_000;
    private static final int KILL_TARGET = Integer.getInteger("shmbus.named.kills", 20);
    private static final long BUDGET_NS = TimeUnit.SECONDS.toNanos(Long.getLong("shmbus.named.budget.s", 60));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern MESSAGE = Pattern.compile("MSG (\\d+) (\\d+) END");

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private final long seed = Long.getLong("shmbus.named.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private Path dir;
    private Path dataDir;
    private Path configFile;
    private int consumerRuns;

    private boolean remote;
    private String address;

    @ParameterizedTest(name = "remote={0}")
    @ValueSource(booleans = {false, true})
    void everyMessageIsHandledAtLeastOnceAndExactlyOnceByPositionThroughKillsAndABrokerRestart(final boolean remote)
    {
        this.remote = remote;
        final int killTarget = remote ? Math.max(1, KILL_TARGET / 2) : KILL_TARGET;
        final long budgetNs = remote ? BUDGET_NS / 2 : BUDGET_NS;
        dir = children.shmDirectory().resolve("bus");
        dataDir = children.shmDirectory().resolve("data");
        configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic " + TOPIC + "]", "capacity = 64k");
        System.out.printf("%s (%s): seed %d (-Dshmbus.named.seed=%d repeats the choices), %d kills at most in %d s%n",
            getClass().getSimpleName(), remote ? "remote" : "local", seed, seed, killTarget,
            TimeUnit.NANOSECONDS.toSeconds(budgetNs));
        JavaProcess broker = startBroker("broker-1");
        publish(0, MESSAGES / 2);

        final List<JavaProcess> runs = new ArrayList<>();
        final long startNs = System.nanoTime();
        int kills = 0;
        boolean restarted = false;
        while (kills < killTarget && System.nanoTime() - startNs < budgetNs)
        {
            final JavaProcess consumer = startConsumer();
            runs.add(consumer);
            if (0 == kills)
            {
                checkSecondHolderRefused(consumer);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(600)));
            // kill reads the output to the end: the lines it printed last count, it handled (and committed) them
            assertTrue(consumer.kill(EXIT_TIMEOUT), "killed " + consumer);
            assertEquals(137, consumer.awaitExit(EXIT_TIMEOUT), "killed with SIGKILL");
            kills++;
            if (!restarted && kills >= killTarget / 2)
            {
                assertEquals(0, broker.terminate(EXIT_TIMEOUT), "broker stopped cleanly");
                broker = startBroker("broker-2");
                publish(MESSAGES / 2, MESSAGES);
                restarted = true;
            }
        }
        if (!restarted)
        {
            assertEquals(0, broker.terminate(EXIT_TIMEOUT), "broker stopped cleanly");
            broker = startBroker("broker-2");
            publish(MESSAGES / 2, MESSAGES);
        }

        // the last run reads to the end and exits once nothing more comes
        final JavaProcess last = startConsumer();
        runs.add(last);
        last.awaitSuccess(Duration.ofSeconds(120));

        final BitSet seen = new BitSet(MESSAGES);
        final List<Long> applied = new ArrayList<>();
        long lastAppliedPosition = -1;
        long handled = 0;
        for (final JavaProcess run : runs)
        {
            for (final String line : run.stdoutLines())
            {
                final Matcher m = MESSAGE.matcher(line);
                if (!m.matches())
                {
                    continue; // READY, or a line cut short by the kill
                }
                final long position = Long.parseLong(m.group(1));
                final long seq = Long.parseLong(m.group(2));
                handled++;
                seen.set((int)seq);
                if (position > lastAppliedPosition) // the idempotent handler: effects keyed by position
                {
                    applied.add(seq);
                    lastAppliedPosition = position;
                }
            }
        }
        assertEquals(MESSAGES, seen.cardinality(), "at least once: missing from " + seen.nextClearBit(0));
        assertEquals(MESSAGES, applied.size(), "exactly once by position");
        for (int i = 0; i < MESSAGES; i++)
        {
            assertEquals(i, applied.get(i).longValue(), "in order at " + i);
        }
        System.out.printf("%s (%s): %d kills, %d consumer runs, one broker restart; %,d messages handled %,d times " +
            "(%,d redelivered after a crash), applied exactly once by position%n", getClass().getSimpleName(),
            remote ? "remote" : "local", kills, runs.size(), MESSAGES, handled, handled - MESSAGES);
        broker.terminate(EXIT_TIMEOUT);
    }

    private JavaProcess startBroker(final String name)
    {
        if (!remote)
        {
            return BrokerDaemon.start(children, name, dir, "--config", configFile.toString(),
                "--data-dir", dataDir.toString(), "--segment-length", "1m");
        }
        final JavaProcess broker = BrokerDaemon.start(children, name, dir, "--config", configFile.toString(),
            "--data-dir", dataDir.toString(), "--segment-length", "1m", "--net-port", "0");
        address = BrokerDaemon.netAddress(broker); // a new port after the restart: later runs use it
        return broker;
    }

    private JavaProcess startConsumer()
    {
        final JavaProcess consumer = children.start("named-" + (++consumerRuns), NamedConsumerMain.class,
            consumerArgs(Integer.toString(1 + random.nextInt(8)), Integer.toString(1 + random.nextInt(20))));
        consumer.awaitLine("READY", START_TIMEOUT);
        return consumer;
    }

    private String[] consumerArgs(final String batch, final String commitEvery)
    {
        final List<String> args = new ArrayList<>(List.of(dir.toString(), TOPIC, NAME, "earliest", batch, "1", "3000",
            commitEvery));
        if (remote)
        {
            args.add(address);
        }
        return args.toArray(new String[0]);
    }

    /** A second process asking for the held name is refused, naming the holder. */
    private void checkSecondHolderRefused(final JavaProcess holder)
    {
        final JavaProcess second = children.start("named-second", NamedConsumerMain.class, consumerArgs("1", "1"));
        assertEquals(3, second.awaitExit(START_TIMEOUT), second.recentOutput());
        final String refusal = second.lastLine("IN_USE");
        assertNotNull(refusal, second.recentOutput());
        assertTrue(refusal.contains(remote ? "held by network subscriber /127.0.0.1:" :
            "held by process " + holder.pid()), refusal);
    }

    /** Publishes messages {@code from} to {@code to} through the broker. */
    private void publish(final int from, final int to)
    {
        SequencedMessages.publish(dir, TOPIC, from, to, 100);
    }
}
