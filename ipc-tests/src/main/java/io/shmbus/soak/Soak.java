package io.shmbus.soak;

import io.shmbus.client.log.TopicLog;
import io.shmbus.ipc.BrokerDaemon;
import io.shmbus.ipc.JavaProcess;
import io.shmbus.ipc.KeyValues;
import io.shmbus.ipc.NumberedConsumerMain;
import io.shmbus.ipc.NumberedProducerMain;
import io.shmbus.ipc.ProcessGroup;
import io.shmbus.ipc.RingState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One soak run: a broker daemon with a data directory and a network port, producer processes, local and remote
 * consumer processes, random SIGKILLs of any of them (the broker too) with restarts, then a clean stop and a check
 * of every stream against the archive. Every child is started through a {@link ProcessGroup}, which kills them all
 * and deletes the shared-memory and data directories on {@link #close()}, also on Ctrl-C.
 * <p>
 * Used by one thread. Problems found on the way are collected as failures rather than thrown, so the run still
 * stops cleanly and reports every figure it has.
 */
final class Soak implements AutoCloseable
{
    static final String NET_PREFIX = "broker: serving network subscribers on ";
    private static final long TICK_MS = 100;
    private static final long USAGE_WARMUP_MS = 10_000;
    private static final long USAGE_MIN_LIFE_MS = 20_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final long DRAIN_TIMEOUT_MS = 90_000;
    private static final long ARCHIVE_TIMEOUT_MS = 60_000;
    private static final long SETTLE_TIMEOUT_MS = 300_000;
    private static final List<String> BROKER_JVM_OPTIONS =
        List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-XX:+PerfDisableSharedMem");

    final SoakOptions options;
    final List<String> topics = new ArrayList<>();
    final List<Member> members = new ArrayList<>();
    final List<StreamRecord> streams = new ArrayList<>();
    final List<ReadRecord> reads = new ArrayList<>();
    final EnumMap<Role, Integer> kills = new EnumMap<>(Role.class);
    final List<String> killLog = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    final Map<String, Stall> publishStalls = new LinkedHashMap<>();
    final Map<String, Stall> archiveStalls = new LinkedHashMap<>();
    final Map<String, Stall> frozenStalls = new LinkedHashMap<>();
    final Map<String, ArchiveCheck> archives = new LinkedHashMap<>();
    final List<String> usageFindings = new ArrayList<>();
    BrokerUsage usageAtStart;
    BrokerUsage usageAtEnd;
    long runMs;
    boolean frozen;

    private final PrintStream out;
    private final Random random;
    private final ProcessGroup group = new ProcessGroup();
    private final Map<String, Long> lastArchived = new LinkedHashMap<>();
    private final Map<StreamRecord, Long> lastCommitted = new LinkedHashMap<>();
    private final Map<ReadRecord, Long> lastConsumed = new LinkedHashMap<>();
    private Path dir;
    private Path dataDir;
    private Path configFile;
    private Member broker;
    private BrokerUsage brokerFirstSample;
    private BrokerUsage brokerLastSample;
    private int port;
    private int nextStream;
    private long startNs;
    private long nextKillNs;

    Soak(final SoakOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
        this.random = new Random(options.seed);
        for (int t = 0; t < options.topics; t++)
        {
            topics.add("soak-" + (char)('a' + t));
        }
    }

    /** Runs the soak; failures are in {@link #failures}. */
    void run() throws IOException
    {
        Files.createDirectories(options.out);
        group.open(options.out.resolve("logs"));
        dir = group.shmDirectory().resolve("bus");
        dataDir = options.out.resolve("data");
        if (!options.keepData)
        {
            group.deleteOnClose(dataDir);
        }
        configFile = BrokerDaemon.configFile(group.shmDirectory().resolve("broker.conf"),
            "[topic.defaults]", "capacity = " + options.capacity, "persistent = true");
        startNs = System.nanoTime();
        out.printf("soak: %s%nsoak: shared memory %s, data %s, logs %s%n", options, dir, dataDir,
            group.logDirectory());

        broker = new Member(Role.BROKER, "broker", null, null);
        members.add(broker);
        startBroker();
        for (final String topic : topics)
        {
            addMember(new Member(Role.CONSUMER, "consumer-" + topic, topic, null));
        }
        for (int p = 0; p < options.producers; p++)
        {
            final String topic = topics.get(p % topics.size());
            final String mode = (p / topics.size()) % 2 == 0 ? "offer" : "claim";
            addMember(new Member(Role.PRODUCER, "producer-" + p, topic, mode));
        }
        for (final Member member : members)
        {
            if (Role.BROKER != member.role)
            {
                member.process.awaitLine("READY", START_TIMEOUT); // the topics exist: remote subscribers find them
            }
        }
        for (final String topic : topics)
        {
            addMember(new Member(Role.REMOTE, "remote-" + topic, topic, null));
        }
        for (final String topic : topics)
        {
            publishStalls.put(topic, new Stall("publishing to " + topic));
            archiveStalls.put(topic, new Stall("archive of " + topic));
            frozenStalls.put(topic, new Stall(topic + " frozen: no producer or local consumer moved"));
            lastArchived.put(topic, -1L);
        }
        for (final Member member : members)
        {
            if (Role.BROKER != member.role)
            {
                member.process.awaitLine("READY", START_TIMEOUT);
            }
        }
        out.printf("soak: %d processes running; killing one every %.1f s on average for %.1f min%n",
            members.size(), options.killEverySeconds, options.minutes);

        nextKillNs = System.nanoTime() + nextKillDelayNs();
        final long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(options.durationMs());
        long nextStatusNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - endNs < 0 && failures.isEmpty())
        {
            tick(true);
            if (System.nanoTime() - nextStatusNs >= 0)
            {
                out.printf("soak: %3d s: kills %s, committed %,d%n", elapsedMs() / 1000, kills, committed());
                nextStatusNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
        }
        runMs = elapsedMs();
        finish();
    }

    private long elapsedMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    private long nextKillDelayNs()
    {
        // uniform between half and one and a half times the mean: random instants, never two at once
        return (long)(options.killEverySeconds * (0.5 + random.nextDouble()) * 1e9);
    }

    private void addMember(final Member member)
    {
        members.add(member);
        start(member);
    }

    private void startBroker()
    {
        broker.incarnation++;
        final List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--config",
            configFile.toString(), "--net-port", Integer.toString(port), "--bind", "127.0.0.1",
            "--segment-length", Long.toString(options.segmentLength),
            "--unblock-timeout", options.unblockTimeoutMs + "ms", "--client-timeout", options.clientTimeoutMs + "ms"));
        broker.process = BrokerDaemon.start(group, broker.processName(), List.of(), BROKER_JVM_OPTIONS, dir,
            args.toArray(new String[0]));
        final String line = broker.process.awaitErrLine(NET_PREFIX, START_TIMEOUT);
        final String address = line.substring(NET_PREFIX.length()).trim();
        final int announced = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        if (0 != port && announced != port)
        {
            throw broker.process.failure("serves on port " + announced + ", not " + port);
        }
        port = announced;
        brokerFirstSample = null;
        brokerLastSample = null;
    }

    /** Starts the member's next incarnation (the broker's through {@link #startBroker}). */
    private void start(final Member member)
    {
        member.restartAtNs = 0;
        if (Role.BROKER == member.role)
        {
            startBroker();
            return;
        }
        member.incarnation++;
        final String name = member.processName();
        final String common = "dir=" + dir;
        if (Role.PRODUCER == member.role)
        {
            member.stream = new StreamRecord(nextStream++, member.topic, name);
            streams.add(member.stream);
            member.process = group.start(name, NumberedProducerMain.class, common, "topic=" + member.topic,
                "producer=" + member.stream.id, "mode=" + member.mode, "go=now", "reportMs=" + TICK_MS,
                "rate=" + options.rate, "burst=" + options.burst, "reconnect=true");
            // faster than the slow local consumers read: it waits at the producer limit and cleans the ring itself
            return;
        }
        final boolean remote = Role.REMOTE == member.role;
        member.read = new ReadRecord(name, member.topic, remote);
        reads.add(member.read);
        final String start = member.resumePosition < 0 ? "earliest" : Long.toString(member.resumePosition);
        final List<String> args = new ArrayList<>(List.of(common, "topic=" + member.topic, "name=" + name,
            "start=" + start, "reportMs=" + TICK_MS, "reconnectTimeoutMs=60000",
            "drainTimeoutMs=" + DRAIN_TIMEOUT_MS));
        if (remote)
        {
            args.add("remote=127.0.0.1:" + port);
        }
        else
        {
            // slow on purpose: it holds the producers at the limit (so they clean the ring themselves whenever it
            // moves) and bounds the archive's growth
            args.add("pauseUs=" + options.consumerPauseUs);
            args.add("fragmentLimit=" + options.consumerBatch);
        }
        member.process = group.start(name, NumberedConsumerMain.class, args.toArray(new String[0]));
    }

    /** One step of the run: read every report, track stalls, restart and kill as scheduled. */
    private void tick(final boolean killing)
    {
        final long nowNs = System.nanoTime();
        for (final Member member : members)
        {
            if (null == member.process || 0 != member.restartAtNs || member.failed)
            {
                continue;
            }
            if (!member.process.isAlive())
            {
                member.failed = true;
                failures.add(member.process.name() + " exited by itself with status " +
                    member.process.awaitExit(STOP_TIMEOUT) + "; last kills: " +
                    killLog.subList(Math.max(0, killLog.size() - 3), killLog.size()) + "; its last output:\n" +
                    member.process.recentOutput());
                continue;
            }
            if (Role.PRODUCER == member.role)
            {
                readCommitted(member);
            }
            else if (Role.BROKER != member.role)
            {
                readProgress(member, member.process.lastLine("PROGRESS"));
            }
        }
        trackStalls(nowNs);
        sampleBroker();
        for (final Member member : members)
        {
            if (0 != member.restartAtNs && nowNs - member.restartAtNs >= 0 && killing)
            {
                start(member);
            }
        }
        if (killing && nowNs - nextKillNs >= 0)
        {
            killOne();
            nextKillNs = System.nanoTime() + nextKillDelayNs();
        }
    }

    private void readCommitted(final Member member)
    {
        final String line = member.process.lastLine("COMMITTED");
        if (null != line)
        {
            member.stream.committed = Math.max(member.stream.committed, KeyValues.parseLine(line).getLong("next"));
        }
        if (!member.failed && null != member.process.lastLine("ERROR"))
        {
            member.failed = true;
            failures.add(member.process.name() + ": " + member.process.lastLine("ERROR"));
        }
    }

    private void readProgress(final Member member, final String line)
    {
        final ReadRecord read = member.read;
        if (null == line)
        {
            final String ready = member.process.lastLine("READY");
            if (null != ready && Role.CONSUMER == member.role && read.start < 0)
            {
                read.start = KeyValues.parseLine(ready).getLong("position");
                read.position = read.start;
            }
            return;
        }
        final KeyValues progress = KeyValues.parseLine(line);
        read.start = progress.getLong("start");
        read.position = progress.getLong("position");
        read.received = progress.getLong("received");
        read.missing = progress.getLong("missing");
        read.duplicates = progress.getLong("duplicates");
        read.corrupt = progress.getLong("corrupt");
        if (progress.getLong("errors") > 0 && 0 == read.errors)
        {
            final String error = member.process.lastLine("ERROR");
            failures.add(read.name + " found " + progress.getLong("errors") + " stream error(s), e.g.: " + error);
        }
        read.errors = progress.getLong("errors");
        if (read.position >= 0)
        {
            member.resumePosition = read.position;
        }
    }

    /**
     * Tracks, per topic, how long producers could not publish and the archive did not grow while producers ran, and
     * how long the topic was frozen: neither a producer nor a local consumer moved. Only the last fails the run: a
     * live consumer that reads a backlog from the archive (after it lost a broker, say) holds the producers at the
     * archived position until it is done, and that is flow control, not a topic frozen by a dead process.
     */
    private void trackStalls(final long nowNs)
    {
        for (final String topic : topics)
        {
            boolean moved = false;
            boolean trying = false;
            boolean consumerMoved = false;
            for (final Member member : members)
            {
                if (!topic.equals(member.topic) || !member.isRunning())
                {
                    continue;
                }
                if (Role.PRODUCER == member.role)
                {
                    trying = true;
                    final Long before = lastCommitted.put(member.stream, member.stream.committed);
                    moved |= null != before && member.stream.committed > before;
                }
                else if (Role.CONSUMER == member.role)
                {
                    final Long before = lastConsumed.put(member.read, member.read.position);
                    consumerMoved |= null != before && member.read.position > before;
                }
            }
            final long archived = archivedPosition(topic);
            final long archivedBefore = lastArchived.put(topic, archived);
            final boolean archiveMoved = archived > archivedBefore && archivedBefore >= 0;
            publishStalls.get(topic).observe(nowNs, moved, trying);
            archiveStalls.get(topic).observe(nowNs, archiveMoved, trying);
            final Stall frozenFor = frozenStalls.get(topic);
            frozenFor.observe(nowNs, moved || consumerMoved, trying);
            if (!frozen && frozenFor.currentMs(nowNs) > options.maxStallMs)
            {
                frozen = true;
                failures.add("topic '" + topic + "' frozen: no producer and no local consumer moved for " +
                    frozenFor.currentMs(nowNs) + " ms (--max-stall " + options.maxStallMs + " ms); last kills: " +
                    killLog.subList(Math.max(0, killLog.size() - 3), killLog.size()) + "; ring: " +
                    ringState(topic) + "; counters: " + counters());
            }
        }
    }

    private long archivedPosition(final String topic)
    {
        try
        {
            return BrokerDaemon.counter(dir, "topic " + topic + ": archived position");
        }
        catch (final RuntimeException ex)
        {
            return -1; // the CnC file is being created by a starting broker
        }
    }

    private String counters()
    {
        try
        {
            return BrokerDaemon.counters(dir).toString();
        }
        catch (final RuntimeException ex)
        {
            return "(unreadable: " + ex.getMessage() + ")";
        }
    }

    private String ringState(final String topic)
    {
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, topic), topic, 1_000))
        {
            return RingState.read(log).toString();
        }
        catch (final RuntimeException ex)
        {
            return "(unreadable: " + ex.getMessage() + ")";
        }
    }

    /** Samples the live broker's file handles and memory: once warmed up, and then at every tick. */
    private void sampleBroker()
    {
        if (!broker.isRunning() || 0 != broker.restartAtNs)
        {
            return;
        }
        final BrokerUsage usage = BrokerUsage.sample(broker.process.pid(), elapsedMs());
        if (null == usage)
        {
            return;
        }
        if (null == brokerFirstSample)
        {
            if (broker.process.ageMs() < USAGE_WARMUP_MS)
            {
                return; // its clients are still connecting and its code still compiling
            }
            brokerFirstSample = usage;
            if (null == usageAtStart)
            {
                usageAtStart = usage;
            }
        }
        brokerLastSample = usage;
    }

    /** Checks one broker incarnation's growth between its warm sample and its last, if it lived long enough. */
    private void checkBrokerGrowth(final String why)
    {
        if (null == brokerFirstSample || null == brokerLastSample ||
            brokerLastSample.atMs - brokerFirstSample.atMs < USAGE_MIN_LIFE_MS)
        {
            return;
        }
        final String finding = SoakReport.growth(brokerFirstSample, brokerLastSample);
        usageFindings.add(broker.processName() + " (" + why + "): " + brokerFirstSample + " -> " + brokerLastSample +
            (null == finding ? ": within tolerance" : ": " + finding));
        if (null != finding)
        {
            failures.add("broker " + broker.processName() + " grew: " + finding);
        }
    }

    private void killOne()
    {
        final List<Member> candidates = new ArrayList<>();
        final List<Double> weights = new ArrayList<>();
        double total = 0;
        for (final Member member : members)
        {
            if (member.isRunning() && 0 == member.restartAtNs)
            {
                final double weight = switch (member.role)
                {
                    case BROKER, PRODUCER -> 1.0;
                    case CONSUMER, REMOTE -> 0.5;
                };
                candidates.add(member);
                weights.add(weight);
                total += weight;
            }
        }
        if (candidates.isEmpty())
        {
            return;
        }
        double pick = random.nextDouble() * total;
        int index = 0;
        while (index < candidates.size() - 1 && (pick -= weights.get(index)) >= 0)
        {
            index++;
        }
        final Member victim = candidates.get(index);
        if (Role.BROKER == victim.role)
        {
            sampleBroker();
            checkBrokerGrowth("killed");
        }
        if (!victim.process.kill(Duration.ofSeconds(10)))
        {
            failures.add(victim.process.name() + " still alive 10 s after SIGKILL");
            return;
        }
        kills.merge(victim.role, 1, Integer::sum);
        group.close(victim.process); // its output read to the end: its last report is the last it printed
        String detail = "";
        if (Role.PRODUCER == victim.role)
        {
            readCommitted(victim);
            victim.stream.killed = true;
            detail = " (stream " + victim.stream.id + ", " + victim.stream.committed + " committed at its last report)";
        }
        else if (Role.BROKER != victim.role)
        {
            readProgress(victim, victim.process.lastLine("PROGRESS"));
            victim.read.killed = true;
            detail = " (at position " + victim.read.position + ", " + victim.read.received + " received)";
        }
        killLog.add(String.format("%.1f s: %s %s%s", elapsedMs() / 1000.0, victim.role.label,
            victim.process.name(), detail));
        final long delayMs = Role.BROKER == victim.role ? 200 + random.nextInt(800) : 100 + random.nextInt(1100);
        victim.restartAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    }

    /**
     * The end: restart what is down, check that every topic takes messages again, stop the producers, wait for the
     * archive to hold everything, let the consumers read to the end, stop the broker, and check the archive.
     */
    private void finish() throws IOException
    {
        out.printf("soak: %d s: stopping kills (kills %s); settling%n", elapsedMs() / 1000, kills);
        for (final Member member : members)
        {
            if (0 != member.restartAtNs && !member.failed)
            {
                start(member);
            }
        }
        if (!frozen)
        {
            awaitProducersMoving();
        }
        sampleBroker();
        checkBrokerGrowth("at the end");
        if (broker.isRunning())
        {
            usageAtEnd = BrokerUsage.sample(broker.process.pid(), elapsedMs());
        }

        final List<Member> stopping = new ArrayList<>();
        for (final Member member : members)
        {
            if (Role.PRODUCER == member.role && member.isRunning())
            {
                member.process.send("STOP");
                stopping.add(member);
            }
        }
        stopping.forEach(this::stopProducer);
        final Map<String, Long> ends = new LinkedHashMap<>();
        for (final String topic : topics)
        {
            try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, topic), topic, 5_000))
            {
                ends.put(topic, log.tailVolatile());
            }
        }
        if (!frozen)
        {
            awaitArchive(ends);
        }
        final List<Member> finishing = new ArrayList<>();
        for (final Member member : members)
        {
            if ((Role.CONSUMER == member.role || Role.REMOTE == member.role) && member.isRunning())
            {
                member.process.send("FINISH end=" + ends.get(member.topic));
                finishing.add(member); // it may be done before the next loop looks at it
            }
        }
        finishing.forEach(this::finishConsumer);
        if (broker.isRunning())
        {
            final int status = broker.process.terminate(STOP_TIMEOUT);
            if (0 != status)
            {
                failures.add("the broker exited with status " + status + " on SIGTERM");
            }
        }
        for (final String topic : topics)
        {
            final List<ReadRecord> topicReads = new ArrayList<>();
            reads.stream().filter(read -> topic.equals(read.topic)).forEach(topicReads::add);
            final ArchiveCheck check = ArchiveCheck.run(dataDir.resolve(topic), topic, topicReads);
            archives.put(topic, check);
            out.printf("soak: archive of %s: %,d messages in %d segment(s), positions %,d..%,d%s%n", topic,
                check.messages(), check.scan.segments.size(), check.scan.startPosition, check.scan.endPosition,
                null == check.scan.problem ? "" : ", problem at " + check.scan.problemPosition + ": " +
                check.scan.problem);
        }
    }

    /**
     * After the last kill every producer must commit again: no topic stays frozen. A topic counts as frozen as during
     * the run (nothing moves for the stall limit); a consumer still reading a backlog from the archive may hold the
     * producers longer, up to {@value #SETTLE_TIMEOUT_MS} ms.
     */
    private void awaitProducersMoving()
    {
        final Map<Member, Long> before = new LinkedHashMap<>();
        for (final Member member : members)
        {
            if (Role.PRODUCER == member.role && member.isRunning())
            {
                before.put(member, member.stream.committed);
            }
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MS);
        while (!frozen)
        {
            tick(false);
            final List<String> still = new ArrayList<>();
            before.forEach((member, committed) ->
            {
                if (member.stream.committed <= committed || !member.isRunning())
                {
                    still.add(member.process.name());
                }
            });
            if (still.isEmpty())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                frozen = true;
                final StringBuilder rings = new StringBuilder();
                topics.forEach(topic -> rings.append(topic).append(": ").append(ringState(topic)).append("; "));
                failures.add("after the last kill " + still + " committed nothing within " + SETTLE_TIMEOUT_MS +
                    " ms; last kills: " + killLog.subList(Math.max(0, killLog.size() - 3), killLog.size()) +
                    "; rings: " + rings + "counters: " + counters());
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
        }
    }

    private void stopProducer(final Member member)
    {
        try
        {
            final KeyValues sent = KeyValues.parseLine(member.process.awaitLine("SENT", STOP_TIMEOUT));
            member.stream.committed = sent.getLong("next");
            member.stream.exact = true;
            member.process.send("EXIT");
            final int status = member.process.awaitExit(STOP_TIMEOUT);
            if (0 != status)
            {
                failures.add(member.process.name() + " exited with status " + status + ": " +
                    member.process.lastLine("ERROR"));
            }
        }
        catch (final AssertionError ex)
        {
            readCommitted(member);
            failures.add("stopping " + ex.getMessage());
        }
    }

    private void awaitArchive(final Map<String, Long> ends)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARCHIVE_TIMEOUT_MS);
        for (final String topic : topics)
        {
            while (archivedPosition(topic) < ends.get(topic))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    failures.add("the archive of " + topic + " reached " + archivedPosition(topic) + ", not the end " +
                        ends.get(topic) + ", within " + ARCHIVE_TIMEOUT_MS + " ms; ring: " + ringState(topic));
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private void finishConsumer(final Member member)
    {
        try
        {
            final int status = member.process.awaitExit(Duration.ofMillis(DRAIN_TIMEOUT_MS + 30_000));
            final String summary = member.process.lastLine("SUMMARY");
            if (null != summary)
            {
                readProgress(member, summary);
                member.read.finished = true;
            }
            if (0 != status)
            {
                failures.add(member.process.name() + " exited with status " + status + ": " +
                    member.process.lastLine("ERROR"));
            }
        }
        catch (final AssertionError ex)
        {
            failures.add("finishing " + ex.getMessage());
        }
    }

    long committed()
    {
        return streams.stream().mapToLong(stream -> stream.committed).sum();
    }

    /** The directory the child processes' logs are in. */
    Path logDirectory()
    {
        return group.logDirectory();
    }

    int restarts()
    {
        return members.stream().mapToInt(member -> member.incarnation - 1).sum();
    }

    /** Kills every child still running and deletes the shared-memory directory and, unless kept, the data. */
    public void close()
    {
        group.close();
    }
}
