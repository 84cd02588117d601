package io.shmbus.ipc;

import io.shmbus.client.Topic;
import io.shmbus.client.log.TopicLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producer processes are killed with SIGKILL at random instants, many times over, while two steady producers go on
 * publishing and two consumers (one slow, so the small ring is always nearly full and producers clean it
 * themselves) read and check every stream. Each victim is a short-lived JVM that maps the topic directly and
 * publishes its own numbered stream at full speed, printing how many of its messages were committed every
 * millisecond; it is killed a random few milliseconds after it starts publishing, so kills land inside claims,
 * inside cleaning, while back-pressured, and everywhere else. Up to {@value #PARALLEL_VICTIMS} victims live at once.
 * <p>
 * The run stops at {@code shmbus.kills.target} kills (1000) or after {@code shmbus.kills.budget.s} seconds (90) of
 * killing, whichever comes first, and prints the count reached. It fails when the topic is frozen (the steady
 * producers commit nothing for {@value #FROZEN_MS} ms: a dead process blocks everyone), when, after the last kill,
 * the topic does not accept new messages within the unblock timeout for each claim left open plus a margin, or when
 * any consumer misses, duplicates, reorders or corrupts a message: every message a victim committed before its last
 * report, and every message of the steady producers, must reach each consumer exactly once and in order.
 * <p>
 * After each kill the ring is inspected ({@link RingState}) to tell where the kill landed: inside one of the
 * victim's claims (a claimed frame of its producer id, or a claim without a header that stays so), inside the header
 * of a claim (a frame that does not hold its own position and stays so), in the middle of a clean (the clean
 * position taken but the limit not published, and still so a moment later), or elsewhere. A consumer that stops
 * during the kills (its slot revoked, say) fails the run at once, with its last output.
 * Start-up times of the victims are measured and printed: they bound how many kills fit in the budget.
 */
class ProducersKilledAtRandomTest
{
    private static final String TOPIC = "kills";
    private static final String CAPACITY = System.getProperty("shmbus.kills.capacity", "256k");
    private static final String SLOW_CONSUMER_PAUSE_US = System.getProperty("shmbus.kills.slowPauseUs", "100");
    private static final int PARALLEL_VICTIMS = 2;
    private static final int STEADY_PRODUCERS = 2;
    private static final int KILL_TARGET = Integer.getInteger("shmbus.kills.target", 1000);
    private static final long BUDGET_MS = TimeUnit.SECONDS.toMillis(Long.getLong("shmbus.kills.budget.s", 90));
    private static final long UNBLOCK_TIMEOUT_MS = 500;
    private static final long FROZEN_MS = 10_000;
    private static final long RECOVERY_MARGIN_MS = 3_000;
    private static final int MAX_KILL_DELAY_MS = Integer.getInteger("shmbus.kills.maxDelayMs", 40);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    /**
     * What victims run on: the client compiler only, the serial collector, the JDK's class-data sharing, a tiny
     * heap and stack, one compiler thread, no perf data file, and a class path of the three places their classes
     * come from. Their start-up is most of what a kill costs.
     */
    private static final List<String> VICTIM_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
        "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx16m", "-Xss256k", "-XX:-UsePerfData");

    /** Where a kill landed, as the ring tells it just after. */
    enum Landing
    {
        /** Between its claim and its commit. */
        IN_CLAIM,
        /** Between the commit word of its claim and the rest of the header: the frame does not hold its position. */
        IN_CLAIM_HEADER,
        /** Between taking the clean position and publishing the limit it cleaned for. */
        IN_CLEAN,
        ELSEWHERE
    }

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private final long seed = Long.getLong("shmbus.kills.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Map<Integer, Long> committedAtKill = new HashMap<>();
    private final EnumMap<Landing, Integer> landings = new EnumMap<>(Landing.class);
    private final List<Long> startupMs = new ArrayList<>();
    private final List<Long> publishedMs = new ArrayList<>();
    private final List<String> killLog = new ArrayList<>();
    private final Set<Long> headerlessClaimsSeen = new HashSet<>();
    private final Set<Long> unfinishedCleansSeen = new HashSet<>();
    private final Set<Long> tornHeadersSeen = new HashSet<>();
    private JavaProcess broker;
    private Path dir;

    /** One victim: a process publishing one stream until it is killed. */
    private static final class Victim
    {
        final JavaProcess process;
        final int stream;
        final String mode;
        final long startedNs;
        int producerId = -1;
        long readyNs;
        long killAtNs;

        Victim(final JavaProcess process, final int stream, final String mode)
        {
            this.process = process;
            this.stream = stream;
            this.mode = mode;
            this.startedNs = System.nanoTime();
        }
    }

    @Test
    void everyCommittedMessageArrivesOnceAndNoTopicFreezesWhileProducersAreKilledAtRandom()
    {
        // the whole run's deadline follows the kill budget (a longer run is a -D away), with 150 s for the rest
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofMillis(BUDGET_MS + TimeUnit.SECONDS.toMillis(150)), this::killAndVerify);
    }

    private void killAndVerify() throws Exception
    {
        dir = children.shmDirectory().resolve("bus");
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic " + TOPIC + "]", "capacity = " + CAPACITY);
        broker = BrokerDaemon.start(children, "broker", dir, "--config", configFile.toString(),
            "--unblock-timeout", UNBLOCK_TIMEOUT_MS + "ms", "--client-timeout", "2s");
        System.out.printf("%s: seed %d (-Dshmbus.kills.seed=%d repeats the choices), target %d kills, budget %d s%n",
            getClass().getSimpleName(), seed, seed, KILL_TARGET, TimeUnit.MILLISECONDS.toSeconds(BUDGET_MS));

        final List<JavaProcess> consumers = List.of(
            consumer("consumer-fast"),
            consumer("consumer-slow", "pauseUs=" + SLOW_CONSUMER_PAUSE_US, "fragmentLimit=256"));
        final List<JavaProcess> steady = new ArrayList<>();
        for (int p = 0; p < STEADY_PRODUCERS; p++)
        {
            final JavaProcess producer = children.start("steady-" + p, NumberedProducerMain.class, "dir=" + dir,
                "topic=" + TOPIC, "producer=" + p, "mode=" + (0 == p ? "offer" : "claim"), "reportMs=20",
                "rate=20000", "burst=200");
            producer.awaitLine("READY", START_TIMEOUT);
            steady.add(producer);
        }
        steady.forEach(producer -> producer.send("GO"));

        final String victimClassPath = victimClassPath();
        final long loopStartNs = System.nanoTime();
        int kills;
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, TOPIC), TOPIC, 5_000))
        {
            try
            {
                kills = killVictims(log, steady, consumers, victimClassPath, loopStartNs);
            }
            finally
            {
                // printed also when the run fails: how far it got and where the kills landed
                Files.write(children.logDirectory().resolve("kills.log"), killLog);
                final long loopMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loopStartNs));
                System.out.printf("%s: %d kills in %,d ms (%.1f a second; target %d, budget %,d ms): landed in a " +
                    "claim %d (%d of them inside its header), mid-clean %d, elsewhere %d%n", getClass().getSimpleName(),
                    killLog.size(), loopMs, killLog.size() * 1000.0 / loopMs, KILL_TARGET, BUDGET_MS,
                    landings.getOrDefault(Landing.IN_CLAIM, 0) + landings.getOrDefault(Landing.IN_CLAIM_HEADER, 0),
                    landings.getOrDefault(Landing.IN_CLAIM_HEADER, 0), landings.getOrDefault(Landing.IN_CLEAN, 0),
                    landings.getOrDefault(Landing.ELSEWHERE, 0));
                System.out.printf("%s: victim start-up (spawn to READY) %s ms; publishing before the kill %s ms; " +
                    "every kill in %s%n", getClass().getSimpleName(), percentiles(startupMs), percentiles(publishedMs),
                    children.logDirectory().resolve("kills.log"));
            }
            awaitRecovery(log, steady);
        }

        final Map<Integer, Long> exact = new HashMap<>();
        for (final JavaProcess producer : steady)
        {
            producer.send("STOP");
            final KeyValues sent = KeyValues.parseLine(producer.awaitLine("SENT", RUN_TIMEOUT));
            exact.put(sent.getInt("producer"), sent.getLong("next"));
            producer.send("EXIT");
            producer.awaitSuccess(RUN_TIMEOUT);
        }
        final long end;
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, TOPIC), TOPIC, 5_000))
        {
            end = log.tailVolatile();
        }
        long delivered = 0;
        for (final JavaProcess consumer : consumers)
        {
            consumer.send("FINISH end=" + end);
            delivered += checkConsumer(consumer, exact);
        }
        final long unblocked = BrokerDaemon.counter(dir, BrokerDaemon.CLAIMS_UNBLOCKED);
        System.out.printf("%s: %,d messages delivered to %d consumers once each, in order: %d steady streams " +
            "(%s committed), %d victim streams (%,d committed before their last reports); %d abandoned claims " +
            "unblocked by the broker%n", getClass().getSimpleName(), delivered, consumers.size(), exact.size(), exact,
            committedAtKill.size(), committedAtKill.values().stream().mapToLong(Long::longValue).sum(), unblocked);
        broker.terminate(RUN_TIMEOUT);
        assertTrue(kills > 0, "no victim was killed");
    }

    private JavaProcess consumer(final String name, final String... extra)
    {
        final List<String> args = new ArrayList<>(List.of("dir=" + dir, "topic=" + TOPIC, "name=" + name,
            "start=earliest", "reportMs=200"));
        args.addAll(Arrays.asList(extra));
        final JavaProcess consumer = children.start(name, NumberedConsumerMain.class, args.toArray(new String[0]));
        consumer.awaitLine("READY", START_TIMEOUT);
        return consumer;
    }

    /**
     * Keeps {@value #PARALLEL_VICTIMS} victims running and kills each a random moment after it starts publishing,
     * until the target or the budget is reached; fails when the steady producers stop making progress.
     *
     * @return the kill count.
     */
    private int killVictims(
        final TopicLog log,
        final List<JavaProcess> steady,
        final List<JavaProcess> consumers,
        final String classPath,
        final long loopStartNs)
    {
        final Victim[] victims = new Victim[PARALLEL_VICTIMS];
        final long[] steadyNext = new long[STEADY_PRODUCERS];
        long lastProgressNs = System.nanoTime();
        int nextStream = STEADY_PRODUCERS;
        int kills = 0;
        boolean stopping = false;
        while (true)
        {
            final long nowNs = System.nanoTime();
            stopping |= kills + countLive(victims) >= KILL_TARGET ||
                TimeUnit.NANOSECONDS.toMillis(nowNs - loopStartNs) >= BUDGET_MS;
            for (int i = 0; i < victims.length; i++)
            {
                Victim victim = victims[i];
                if (null == victim)
                {
                    if (stopping)
                    {
                        continue;
                    }
                    final int stream = nextStream++;
                    final String mode = random.nextBoolean() ? "claim" : "offer";
                    victim = new Victim(children.start("victim-" + stream, List.of(), VICTIM_JVM_OPTIONS, classPath,
                        NumberedProducerMain.class, "dir=" + dir, "topic=" + TOPIC, "producer=" + stream,
                        "mode=" + mode, "direct=true", "go=now", "reportMs=1"), stream, mode);
                    victims[i] = victim;
                }
                if (0 == victim.readyNs)
                {
                    final String ready = victim.process.lastLine("READY");
                    if (null != ready)
                    {
                        victim.readyNs = nowNs;
                        victim.producerId = KeyValues.parseLine(ready).getInt("producerId");
                        victim.killAtNs = nowNs + TimeUnit.MICROSECONDS.toNanos(
                            random.nextInt(MAX_KILL_DELAY_MS * 1000));
                        startupMs.add(TimeUnit.NANOSECONDS.toMillis(nowNs - victim.startedNs));
                    }
                    else if (!victim.process.isAlive())
                    {
                        throw victim.process.failure("exited before it was killed");
                    }
                    else if (nowNs - victim.startedNs > START_TIMEOUT.toNanos())
                    {
                        throw victim.process.failure("printed no READY within " + START_TIMEOUT.toMillis() + " ms");
                    }
                }
                else if (nowNs - victim.killAtNs >= 0)
                {
                    kill(log, victim);
                    kills++;
                    victims[i] = null;
                }
            }
            for (int p = 0; p < STEADY_PRODUCERS; p++)
            {
                final String line = steady.get(p).lastLine("COMMITTED");
                final long next = null == line ? 0 : KeyValues.parseLine(line).getLong("next");
                if (next > steadyNext[p])
                {
                    steadyNext[p] = next;
                    lastProgressNs = nowNs;
                }
            }
            for (final JavaProcess consumer : consumers)
            {
                if (!consumer.isAlive())
                {
                    throw consumer.failure("stopped during the kills (after " + kills + "), exit status " +
                        consumer.awaitExit(Duration.ofSeconds(5)) + "; ring: " + RingState.read(log));
                }
            }
            if (nowNs - lastProgressNs > TimeUnit.MILLISECONDS.toNanos(FROZEN_MS))
            {
                throw broker.failure("topic '" + TOPIC + "' frozen: the steady producers committed nothing for " +
                    FROZEN_MS + " ms after " + kills + " kills; ring: " + RingState.read(log) + "; counters " +
                    BrokerDaemon.counters(dir));
            }
            if (stopping && 0 == countLive(victims))
            {
                return kills;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
        }
    }

    private static int countLive(final Victim[] victims)
    {
        int live = 0;
        for (final Victim victim : victims)
        {
            live += null == victim ? 0 : 1;
        }
        return live;
    }

    /** SIGKILLs a victim, tells where the kill landed, and keeps its last committed count. */
    private void kill(final TopicLog log, final Victim victim)
    {
        if (!victim.process.kill(Duration.ofSeconds(10)))
        {
            throw victim.process.failure("still alive 10 s after SIGKILL");
        }
        final RingState atKill = RingState.read(log);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        final RingState later = RingState.read(log);
        final Landing landing;
        if (atKill.wrongPositionAt >= 0 && later.wrongPositionAt == atKill.wrongPositionAt &&
            tornHeadersSeen.add(atKill.wrongPositionAt))
        {
            landing = Landing.IN_CLAIM_HEADER; // a live producer writes its header within nanoseconds
        }
        else if (atKill.hasClaimBy(victim.producerId) || (atKill.claimWithoutHeader && later.claimWithoutHeader &&
            later.walkedTo == atKill.walkedTo && headerlessClaimsSeen.add(atKill.walkedTo)))
        {
            // a live producer writes its header within nanoseconds of its claim; one left by an earlier victim
            // was counted at that victim's kill
            landing = Landing.IN_CLAIM;
        }
        else if (atKill.cleanerPid == victim.process.pid() && unfinishedCleansSeen.add(atKill.cleanPosition))
        {
            landing = Landing.IN_CLEAN; // the clean lock names the dead victim: the broker must take it over
        }
        else
        {
            landing = Landing.ELSEWHERE;
        }
        landings.merge(landing, 1, Integer::sum);
        children.close(victim.process); // its output read to the end: its last report is the last it printed
        final String line = victim.process.lastLine("COMMITTED");
        final long committed = null == line ? 0 : KeyValues.parseLine(line).getLong("next");
        committedAtKill.put(victim.stream, committed);
        final long publishedForMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - victim.readyNs);
        publishedMs.add(publishedForMs);
        killLog.add(String.format("kill %d: stream %d (producer id %d, %s) after %d ms publishing, %d committed " +
            "at its last report, landed %s; ring then: %s", killLog.size() + 1, victim.stream, victim.producerId,
            victim.mode, publishedForMs, committed, landing, atKill));
        if (victim.process.stdoutLines().stream().anyMatch(l -> l.startsWith("ERROR")))
        {
            throw victim.process.failure("reported an error before it was killed");
        }
    }

    /**
     * After the last kill the topic must take new messages again within the unblock timeout for each claim the
     * victims left open (the broker pads them one after another as the consumers reach them), plus a margin.
     */
    private void awaitRecovery(final TopicLog log, final List<JavaProcess> steady)
    {
        final RingState atEnd = RingState.read(log);
        final int openClaims = atEnd.claimsWithHeader + (atEnd.claimWithoutHeader ? 1 : 0);
        final long limitMs = UNBLOCK_TIMEOUT_MS * (openClaims + 1) + RECOVERY_MARGIN_MS;
        final long[] before = new long[steady.size()];
        for (int p = 0; p < steady.size(); p++)
        {
            before[p] = committed(steady.get(p));
        }
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(limitMs);
        while (true)
        {
            boolean allMoved = true;
            for (int p = 0; p < steady.size(); p++)
            {
                allMoved &= committed(steady.get(p)) > before[p] + 100;
            }
            if (allMoved)
            {
                System.out.printf("%s: after the last kill, with %d claim(s) left open, the topic took new messages " +
                    "again within %,d ms (limit %,d ms)%n", getClass().getSimpleName(), openClaims,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), limitMs);
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw broker.failure("topic '" + TOPIC + "' took no new messages within " + limitMs + " ms after " +
                    "the last kill (" + openClaims + " claim(s) open then: " + atEnd + "); now: " +
                    RingState.read(log) + "; counters " + BrokerDaemon.counters(dir));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static long committed(final JavaProcess producer)
    {
        final String line = producer.lastLine("COMMITTED");
        return null == line ? 0 : KeyValues.parseLine(line).getLong("next");
    }

    /**
     * Checks a consumer's summary: no error, every steady stream complete, every victim stream holding at least
     * what its last report said was committed.
     *
     * @return the messages it received.
     */
    private long checkConsumer(final JavaProcess consumer, final Map<Integer, Long> exact)
    {
        final int status = consumer.awaitExit(RUN_TIMEOUT);
        final KeyValues summary = KeyValues.parseLine(consumer.awaitLine("SUMMARY", Duration.ZERO));
        if (0 != status || 0 != summary.getLong("errors"))
        {
            throw consumer.failure("exited with status " + status + ": " + summary);
        }
        final Map<Integer, long[]> ranges = new HashMap<>();
        final String streams = summary.get("streams");
        if (!"-".equals(streams))
        {
            for (final String range : streams.split(","))
            {
                final String[] parts = range.split(":");
                ranges.put(Integer.parseInt(parts[0]),
                    new long[] { Long.parseLong(parts[1]), Long.parseLong(parts[2]) });
            }
        }
        for (final Map.Entry<Integer, Long> entry : exact.entrySet())
        {
            final long[] range = ranges.get(entry.getKey());
            assertEquals(entry.getValue(), null == range ? 0 : range[1],
                consumer.name() + ": messages of steady stream " + entry.getKey());
        }
        final List<String> shortStreams = new ArrayList<>();
        for (final Map.Entry<Integer, Long> entry : committedAtKill.entrySet())
        {
            final long[] range = ranges.get(entry.getKey());
            final long received = null == range ? 0 : range[1];
            if (received < entry.getValue())
            {
                shortStreams.add("stream " + entry.getKey() + ": " + received + " of " + entry.getValue());
            }
        }
        if (!shortStreams.isEmpty())
        {
            throw consumer.failure("lost messages that killed producers had committed: " + shortStreams.size() +
                " stream(s) short, e.g. " + shortStreams.subList(0, Math.min(10, shortStreams.size())));
        }
        return summary.getLong("received");
    }

    private static String percentiles(final List<Long> values)
    {
        if (values.isEmpty())
        {
            return "(none)";
        }
        final long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return "median " + sorted[sorted.length / 2] + ", p90 " + sorted[(int)(sorted.length * 0.9)] + ", max " +
            sorted[sorted.length - 1];
    }

    /** The directories or jars of the victim's own classes, the client's and Agrona's: nothing else to open. */
    private static String victimClassPath() throws URISyntaxException
    {
        final List<String> entries = new ArrayList<>();
        for (final Class<?> type : List.of(NumberedProducerMain.class, Topic.class, UnsafeBuffer.class))
        {
            final String entry = Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            if (!entries.contains(entry))
            {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
