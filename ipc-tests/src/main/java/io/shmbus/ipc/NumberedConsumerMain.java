package io.shmbus.ipc;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.PositionUnavailableException;
import io.shmbus.client.ShmBus;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.remote.RemoteConsumer;
import io.shmbus.client.remote.UnknownTopicException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A consumer process that checks {@link NumberedMessages} with {@link NumberedStreams} as they arrive: from shared
 * memory through the broker ({@link ShmBus}), or over TCP from the broker's network server ({@link RemoteConsumer},
 * with {@code remote=HOST:PORT}).
 * <p>
 * Protocol: prints {@code READY name=... pid=...}, then every {@code reportMs} a
 * {@code PROGRESS name=... start=S position=P received=R errors=... missing=... duplicates=...} line, a consistent
 * snapshot from the polling thread: {@code R} messages were delivered from {@code [S, P)}. The first errors are
 * printed as {@code ERROR} lines when found. {@code FINISH end=E} makes it read up to position {@code E} (with no
 * more pauses), then print
 * {@code SUMMARY name=... start=... position=... received=... streams=id:firstSeq:nextSeq,...} and exit 0 when
 * every message was in order and intact and the end was reached, 1 otherwise.
 * <p>
 * When a local consumer's broker is lost it connects to its successor and goes on from its position, printing
 * {@code BROKER_LOST} and {@code RECONNECTED}; a remote consumer reconnects by itself ({@code REMOTE_RETRY} lines),
 * and subscribes again when a restarted broker does not know its topic yet ({@code REMOTE_RESUBSCRIBE}).
 * <p>
 * Arguments ({@code key=value}): dir, topic, name, start (earliest, latest or a position), and optional remote,
 * fromStart (streams must start at seq 0; default: when the start is earliest), reportMs, pauseUs (sleep after each
 * poll: a slow consumer), fragmentLimit, reconnectTimeoutMs, drainTimeoutMs.
 */
public final class NumberedConsumerMain implements FragmentHandler
{
    private static final int POLLS_BETWEEN_COMMAND_CHECKS = 64;

    private final KeyValues config;
    private final ChildIo io;
    private final String name;
    private final NumberedStreams streams;
    private volatile boolean brokerLost;
    private ShmBus bus;
    private Consumer consumer;
    private RemoteConsumer remote;
    private long start = -1;
    private long received;
    private long reconnects;
    private long remoteRetries;
    private long remoteResubscribes;
    private long unknownTopicSinceNs;
    private int errorsPrinted;

    private NumberedConsumerMain(final KeyValues config, final ChildIo io)
    {
        this.config = config;
        this.io = io;
        this.name = config.get("name");
        this.streams = new NumberedStreams(config.getBoolean("fromStart", "earliest".equals(config.get("start"))));
    }

    public static void main(final String[] args)
    {
        final KeyValues config = KeyValues.parse(args);
        final ChildIo io = ChildIo.start(config.get("name"));
        final NumberedConsumerMain main = new NumberedConsumerMain(config, io);
        final String problem = main.subscribeRetrying(StartPosition.parse(config.get("start")));
        if (null != problem)
        {
            io.report("ERROR name=" + main.name + " " + problem);
            System.exit(1);
        }
        io.report("READY name=" + main.name + " pid=" + ProcessHandle.current().pid() + " position=" +
            main.position());
        System.exit(main.run());
    }

    private void subscribe(final StartPosition startPosition)
    {
        final String remoteAddress = config.get("remote", null);
        if (null != remoteAddress)
        {
            remote = RemoteConsumer.subscribe(new RemoteConsumer.Context()
                .address(remoteAddress)
                .topic(config.get("topic"))
                .start(startPosition)
                .reconnectBackoffMs(50)
                .reconnectBackoffMaxMs(500)
                .errorHandler(error ->
                {
                    // only retryable problems come here (a lost connection, a broker not back yet): it reconnects
                    remoteRetries++;
                    io.report("REMOTE_RETRY name=" + name + " exception=" + error.getClass().getSimpleName() +
                        " message=" + error.getMessage());
                }));
            return;
        }
        brokerLost = false;
        bus = ShmBus.connect(new ShmBus.Context()
            .dir(Paths.get(config.get("dir")))
            .errorHandler(error ->
            {
                if (error instanceof BrokerUnavailableException)
                {
                    brokerLost = true;
                }
                else
                {
                    io.report("ERROR name=" + name + " " + error.getClass().getSimpleName() + ": " +
                        error.getMessage());
                }
            }));
        consumer = bus.addConsumer(config.get("topic"), startPosition);
        if (start < 0)
        {
            start = consumer.position();
        }
    }

    private long position()
    {
        return null != remote ? remote.position() : consumer.position();
    }

    private int poll(final int fragmentLimit)
    {
        return null != remote ? remote.poll(this, fragmentLimit) : consumer.poll(this, fragmentLimit);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (start < 0)
        {
            start = header.position();
        }
        unknownTopicSinceNs = 0;
        received++;
        streams.onFragment(buffer, offset, length, header);
    }

    private int run()
    {
        final long reportIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.getLong("reportMs", 500));
        long pauseNs = TimeUnit.MICROSECONDS.toNanos(config.getLong("pauseUs", 0));
        final long drainTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.getLong("drainTimeoutMs", 60_000));
        final int fragmentLimit = config.getInt("fragmentLimit", 64);
        final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(500));
        long nextReportNs = System.nanoTime() + reportIntervalNs;
        long end = Long.MAX_VALUE;
        long drainDeadlineNs = 0;
        int pollsSinceCheck = 0;
        String failure = null;
        while (null == failure)
        {
            final int fragments;
            try
            {
                fragments = poll(fragmentLimit);
            }
            catch (final UnknownTopicException ex)
            {
                failure = resubscribe(ex);
                continue;
            }
            catch (final RuntimeException ex)
            {
                failure = "poll failed: " + ex;
                break;
            }
            if (start < 0 && 0 == received && position() >= 0)
            {
                start = position(); // a remote start resolved by the broker
            }
            printNewErrors();
            if (brokerLost)
            {
                failure = reconnect();
                continue;
            }
            if (null != consumer && consumer.isRevoked())
            {
                failure = "the consumer's slot was revoked at position " + consumer.position();
                break;
            }
            if (pauseNs > 0)
            {
                LockSupport.parkNanos(pauseNs);
            }
            final long nowNs = System.nanoTime();
            if (nowNs - nextReportNs >= 0)
            {
                io.report("PROGRESS " + progress());
                nextReportNs = nowNs + reportIntervalNs;
            }
            if (position() >= end)
            {
                break;
            }
            if (0 != drainDeadlineNs && nowNs - drainDeadlineNs > 0)
            {
                failure = "did not reach position " + end + " within " +
                    TimeUnit.NANOSECONDS.toMillis(drainTimeoutNs) + " ms";
                break;
            }
            if (fragments > 0 && ++pollsSinceCheck < POLLS_BETWEEN_COMMAND_CHECKS)
            {
                idle.reset();
                continue;
            }
            pollsSinceCheck = 0;
            final String command = io.poll();
            if (null != command && command.startsWith("FINISH"))
            {
                end = KeyValues.parseLine(command).getLong("end");
                drainDeadlineNs = System.nanoTime() + drainTimeoutNs;
                pauseNs = 0; // the pause shaped the load while producers ran; the rest is read at full speed
            }
            else if (null != command)
            {
                io.report("ERROR name=" + name + " unknown command '" + command + "'");
            }
            if (0 == fragments)
            {
                idle.idle();
            }
        }
        printNewErrors();
        if (null != failure)
        {
            io.report("ERROR name=" + name + " " + failure);
        }
        io.report("SUMMARY " + progress() + " streams=" + streams.streamRanges());
        CloseHelper.quietClose(consumer);
        CloseHelper.quietClose(remote);
        CloseHelper.quietClose(bus);
        return null == failure && 0 == streams.errorCount() ? 0 : 1;
    }

    private String progress()
    {
        return "name=" + name + " start=" + start + " position=" + position() + " received=" + received +
            " reconnects=" + reconnects + " remoteRetries=" + remoteRetries +
            " remoteResubscribes=" + remoteResubscribes + " " + streams.summary();
    }

    private void printNewErrors()
    {
        while (errorsPrinted < streams.errors().size())
        {
            io.report("ERROR name=" + name + " " + streams.errors().get(errorsPrinted++));
        }
    }

    /**
     * Connects to the broker's successor and goes on from this consumer's position.
     *
     * @return null, or why it could not.
     */
    private String reconnect()
    {
        final long position = consumer.position();
        io.report("BROKER_LOST name=" + name + " position=" + position);
        CloseHelper.quietClose(consumer);
        CloseHelper.quietClose(bus);
        final String problem = subscribeRetrying(StartPosition.at(position));
        if (null != problem)
        {
            return problem;
        }
        reconnects++;
        io.report("RECONNECTED name=" + name + " position=" + consumer.position());
        return consumer.position() == position ? null :
            "reconnected at " + consumer.position() + " instead of " + position;
    }

    /**
     * A broker knows a topic once a local client has used it since the broker started: a remote consumer that
     * reconnects to a restarted broker before that is refused with UNKNOWN_TOPIC, which {@link RemoteConsumer}
     * takes as final. This subscribes again from its position after a pause, until the reconnect timeout.
     *
     * @return null, or why it gives up.
     */
    private String resubscribe(final UnknownTopicException ex)
    {
        final long nowNs = System.nanoTime();
        if (0 == unknownTopicSinceNs)
        {
            unknownTopicSinceNs = nowNs;
        }
        final long timeoutMs = config.getLong("reconnectTimeoutMs", 60_000);
        if (nowNs - unknownTopicSinceNs > TimeUnit.MILLISECONDS.toNanos(timeoutMs))
        {
            return "poll failed for " + timeoutMs + " ms: " + ex;
        }
        final long position = remote.position();
        remoteResubscribes++;
        io.report("REMOTE_RESUBSCRIBE name=" + name + " position=" + position + " message=" + ex.getMessage());
        CloseHelper.quietClose(remote);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        subscribe(position >= 0 ? StartPosition.at(position) : StartPosition.parse(config.get("start")));
        return null;
    }

    /**
     * Subscribes; a local consumer retries while no broker owns the directory (it may be restarting), until the
     * reconnect timeout.
     *
     * @return null, or why it could not.
     */
    private String subscribeRetrying(final StartPosition startPosition)
    {
        final long timeoutMs = config.getLong("reconnectTimeoutMs", 60_000);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String lastProblem = "none";
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                subscribe(startPosition);
                return null;
            }
            catch (final PositionUnavailableException | ConfigurationException ex)
            {
                CloseHelper.quietClose(bus);
                return "could not consume from " + startPosition + ": " + ex;
            }
            catch (final ShmbusException ex)
            {
                // no broker yet, the dead one still the owner on record, or the new one still starting
                lastProblem = ex.getMessage();
                CloseHelper.quietClose(bus);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(bus);
                return "could not consume from " + startPosition + ": " + ex;
            }
        }
        return "no broker to connect to within " + timeoutMs + " ms; last: " + lastProblem;
    }
}
