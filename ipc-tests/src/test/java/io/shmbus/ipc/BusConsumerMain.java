package io.shmbus.ipc;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.Consumer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A consumer process that registers with the broker ({@link ShmBus}) and checks every message with a
 * {@link StreamVerifier} as it arrives.
 * <p>
 * Protocol: connects, prints {@code READY slot=... position=...}, polls until {@code FINISH} (optionally followed
 * by the expected count of every stream, comma-separated, replacing the {@code expect} argument), then polls until
 * every expected message has arrived and for {@code lingerMs} more (so a duplicate or an extra message shows),
 * prints up to {@link StreamVerifier#MAX_REPORTED_ERRORS} {@code ERROR} lines and one {@code SUMMARY} line, and
 * exits 0 only if the stream was perfect. {@code STATUS} prints a {@code STATUS} line at any time.
 * <p>
 * When the broker is lost the connection's error handler prints {@code BROKER_LOST exception=... message=...}; the
 * process then prints its {@code SUMMARY} (with {@code brokerLost=true}) and exits 0 if what it had received
 * until then was free of errors (a prefix of every stream), 1 otherwise.
 * <p>
 * Arguments ({@code key=value}): dir, topic, name, start (earliest, latest or a position), processes, threads,
 * expect (messages per thread, one per producer process, -1 for unknown), seed, maxLength, and optional
 * drainTimeoutMs, lingerMs, pauseMs (sleep after each poll, to make a slow consumer) and fragmentLimit.
 */
public final class BusConsumerMain
{
    private static final int POLLS_BETWEEN_COMMAND_CHECKS = 256;

    private static volatile Throwable brokerLost;

    private BusConsumerMain()
    {
    }

    public static void main(final String[] args)
    {
        final KeyValues config = KeyValues.parse(args);
        final String name = config.get("name");
        final int processes = config.getInt("processes");
        final int threads = config.getInt("threads");
        final Payloads payloads = new Payloads(config.getLong("seed"), processes, threads, config.getInt("maxLength"));
        final StreamVerifier verifier = new StreamVerifier(payloads, processes, threads, config.getLongs("expect"));
        final long drainTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.getLong("drainTimeoutMs", 30_000));
        final long lingerNs = TimeUnit.MILLISECONDS.toNanos(config.getLong("lingerMs", 200));
        final long pauseNs = TimeUnit.MILLISECONDS.toNanos(config.getLong("pauseMs", 0));
        final int fragmentLimit = config.getInt("fragmentLimit", 64);
        final ChildIo io = ChildIo.start(name);

        final ShmBus bus = ShmBus.connect(new ShmBus.Context()
            .dir(Paths.get(config.get("dir")))
            .errorHandler(error ->
            {
                io.report((error instanceof BrokerUnavailableException ? "BROKER_LOST" : "ASYNC_ERROR") +
                    " exception=" + error.getClass().getSimpleName() + " message=" + error.getMessage());
                if (error instanceof BrokerUnavailableException)
                {
                    brokerLost = error;
                }
            }));
        final Consumer consumer = bus.addConsumer(config.get("topic"), StartPosition.parse(config.get("start")));
        io.report("READY name=" + name + " slot=" + consumer.slot() + " position=" + consumer.position() +
            " pid=" + ProcessHandle.current().pid());

        final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        boolean finishing = false;
        boolean drained = false;
        long finishDeadlineNs = 0;
        long completeSinceNs = 0;
        int pollsSinceCheck = 0;
        while (null == brokerLost)
        {
            final int fragments = consumer.poll(verifier, fragmentLimit);
            if (pauseNs > 0)
            {
                LockSupport.parkNanos(pauseNs);
            }
            if (fragments > 0 && ++pollsSinceCheck < POLLS_BETWEEN_COMMAND_CHECKS)
            {
                idle.reset();
                continue;
            }
            pollsSinceCheck = 0;

            final String command = io.poll();
            if (null != command)
            {
                if (command.startsWith("FINISH"))
                {
                    final String counts = command.substring("FINISH".length()).trim();
                    if (!counts.isEmpty())
                    {
                        verifier.expect(KeyValues.parse("counts=" + counts).getLongs("counts"));
                    }
                    finishing = true;
                    finishDeadlineNs = System.nanoTime() + drainTimeoutNs;
                }
                else if (command.startsWith("STATUS"))
                {
                    io.report("STATUS name=" + name + " position=" + consumer.position() + " " + verifier.summary());
                }
            }
            if (finishing)
            {
                final long nowNs = System.nanoTime();
                if (!verifier.isComplete())
                {
                    completeSinceNs = 0;
                }
                else if (0 == completeSinceNs)
                {
                    completeSinceNs = nowNs;
                }
                else if (nowNs - completeSinceNs >= lingerNs)
                {
                    drained = true;
                    break;
                }
                if (nowNs - finishDeadlineNs > 0)
                {
                    io.report("ERROR drain timed out at position " + consumer.position() + ": " + verifier.summary());
                    break;
                }
            }
            if (0 == fragments)
            {
                idle.idle();
            }
        }
        final long position = consumer.position();
        bus.close();

        for (final String error : verifier.errors())
        {
            io.report("ERROR " + error);
        }
        final boolean lost = null != brokerLost;
        io.report("SUMMARY name=" + name + " " + verifier.summary() + " drained=" + drained + " brokerLost=" + lost +
            " position=" + position);
        System.exit((lost ? 0 == verifier.errorCount() : drained && verifier.isPerfect()) ? 0 : 1);
    }
}
