package io.shmbus.ipc;

import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.log.TopicLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.shmbus.ipc.BusChildren.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker daemon is killed with SIGKILL under a producer process and a consumer process: both find out (error
 * handler), the producer's sends return {@code CLOSED}, a new registration fails with a clear exception, and what
 * the consumer got until then is intact. A broker restarted on the same directory takes over the CnC file
 * the dead one left; a new consumer process, a new producer process and the old producer process, reconnected,
 * then exchange messages through it. Finally SIGTERM stops the new broker cleanly.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KilledBrokerTest
{
    private static final String TOPIC = IpcTestConfig.TOPIC;
    private static final int CAPACITY = 1024 * 1024;
    private static final int MAX_LENGTH = 1024;
    private static final int PROCESSES = 2;
    private static final int THREADS = 2;
    private static final int MESSAGES = 20_000;
    private static final Duration NOTICE_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
    private static final int SIGTERM_EXIT_STATUS = 128 + 15;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void clientsReportTheKilledBrokerAndARestartedBrokerServesNewClients()
    {
        final Path dir = children.shmDirectory().resolve("bus");
        final Path cncFile = CncFile.fileIn(dir);
        final Path configFile = BrokerDaemon.configFile(children.shmDirectory().resolve("broker.conf"),
            "[topic " + TOPIC + "]", "capacity = 1m");
        final JavaProcess broker1 = BrokerDaemon.start(children, "broker-1", dir, "--config", configFile.toString());
        final IpcTestConfig config = new IpcTestConfig(dir.toString(), CAPACITY, PROCESSES, THREADS, MAX_LENGTH);
        System.out.println(getClass().getSimpleName() + ": " + config);

        final JavaProcess c0 = consumer(children, config, "c0", "earliest",
            new long[] { StreamVerifier.UNKNOWN, StreamVerifier.UNKNOWN });
        final int c0Slot = KeyValues.parseLine(c0.awaitLine("READY", Duration.ZERO)).getInt("slot");
        final JavaProcess p0 = producer(children, config, 0);
        p0.send("GO " + MESSAGES);
        final long round1End = awaitSent(p0, 1, false, RUN_TIMEOUT).getLong("position");
        // The broker dies while nothing is in flight. (Killed while a producer sends, the consumer can be handed
        // bytes the producer overwrites after the consumer's slot is released on the broker's loss: reported as a
        // client bug, not tested here.)
        try (TopicLog log = TopicLog.open(TopicLog.fileOf(dir, TOPIC), TOPIC, 5_000))
        {
            awaitConsumerAt(log, c0Slot, round1End, c0);
        }

        assertTrue(broker1.kill(Duration.ofSeconds(10)), "broker-1 killed");
        final long killedNs = System.nanoTime();
        final String p0Lost = p0.awaitLine("BROKER_LOST", NOTICE_TIMEOUT);
        final long p0NoticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
        final String c0Lost = c0.awaitLine("BROKER_LOST", NOTICE_TIMEOUT);
        final long c0NoticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
        System.out.printf("%s: the producer noticed the killed broker within %,d ms, the consumer within %,d ms%n",
            getClass().getSimpleName(), p0NoticedMs, c0NoticedMs);
        for (final String lost : new String[] { p0Lost, c0Lost })
        {
            assertTrue(lost.contains("exception=BrokerUnavailableException") &&
                lost.contains("pid " + broker1.pid()) && lost.contains("not running"),
                "the error names the broker and says it is gone: " + lost);
        }

        // the producer's sends return CLOSED, and a new registration fails with the same clear error
        p0.send("GO " + MESSAGES);
        final long[] sentBeforeKill = awaitSent(p0, 2, true, NOTICE_TIMEOUT).getLongs("counts");
        assertArrayEquals(ChildReports.filled(THREADS, MESSAGES), sentBeforeKill, "no message sent without a broker");
        p0.send("ADD");
        final String addFailed = p0.awaitLine("ADD", RUN_TIMEOUT);
        assertTrue(addFailed.startsWith("ADD_FAILED exception=BrokerUnavailableException") &&
            addFailed.contains("pid " + broker1.pid()), addFailed);

        // the consumer got every message, intact, before it lost the broker
        assertEquals(0, c0.awaitExit(RUN_TIMEOUT), "c0 exits 0: what it received was intact");
        final KeyValues c0Summary = KeyValues.parseLine(c0.awaitLine("SUMMARY", Duration.ZERO));
        assertEquals("true", c0Summary.get("brokerLost"));
        assertEquals(0, c0Summary.getLong("errors"));
        assertArrayEquals(new long[] { MESSAGES, MESSAGES, 0, 0 }, c0Summary.getLongs("counts"));
        assertTrue(Files.exists(cncFile), "SIGKILL leaves the CnC file behind");

        // a new broker takes the directory over
        final JavaProcess broker2 = BrokerDaemon.start(children, "broker-2", dir, "--config", configFile.toString());
        final String takeOver = broker2.awaitErrLine("broker: taking over", Duration.ZERO);
        assertTrue(takeOver.contains("pid " + broker1.pid()), takeOver);

        final long[] expect = ChildReports.filled(PROCESSES, MESSAGES);
        final JavaProcess c1 = consumer(children, config, "c1", "latest", expect);
        final JavaProcess p1 = producer(children, config, 1);
        p0.send("RECONNECT");
        p0.awaitLine("RECONNECTED", RUN_TIMEOUT);
        p0.send("GO " + MESSAGES);
        p1.send("GO " + MESSAGES);
        assertEquals(2L * MESSAGES, sum(awaitSent(p0, 3, false, RUN_TIMEOUT).getLongs("counts")));
        assertEquals(2L * MESSAGES, sum(awaitSent(p1, 1, false, RUN_TIMEOUT).getLongs("counts")));
        c1.send("FINISH");
        final KeyValues c1Summary = ChildReports.awaitPerfectStream(
            c1, ChildReports.filled(PROCESSES * THREADS, MESSAGES), RUN_TIMEOUT);
        System.out.printf("%s: after the restart, %,d messages from the reconnected and a new producer process " +
            "reached a new consumer process%n", getClass().getSimpleName(), c1Summary.getLong("received"));

        // SIGTERM stops the broker cleanly: it logs it, removes the CnC file, and its clients hear of it
        final int status = broker2.terminate(RUN_TIMEOUT);
        // A JVM ended by a signal exits 128 + 15 even when its shutdown hook stopped everything cleanly.
        assertTrue(0 == status || SIGTERM_EXIT_STATUS == status, "broker-2 exit status " + status);
        System.out.printf("%s: broker-2 exit status after SIGTERM: %d%n", getClass().getSimpleName(), status);
        broker2.awaitErrLine("broker: stopped", Duration.ZERO);
        assertFalse(Files.exists(cncFile), "a broker stopped by SIGTERM removes its CnC file");
        final String p1Lost = p1.awaitLine("BROKER_LOST", NOTICE_TIMEOUT);
        assertTrue(p1Lost.contains("stopped"), p1Lost);
        exit(p0, RUN_TIMEOUT);
        exit(p1, RUN_TIMEOUT);
    }

    private static void awaitConsumerAt(
        final TopicLog log, final int slot, final long position, final JavaProcess consumer)
    {
        final long deadlineNs = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (log.slotPositionVolatile(slot) != position)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw consumer.failure("did not read up to " + position + ": at " + log.slotPositionVolatile(slot));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
