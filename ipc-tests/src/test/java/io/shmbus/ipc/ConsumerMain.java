package io.shmbus.ipc;

import io.shmbus.client.Consumer;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process that checks every message with a {@link StreamVerifier} as it arrives.
 * <p>
 * Protocol: joins the topic, prints {@code READY position=...}, polls until the parent sends {@code FINISH}
 * (optionally followed by the expected count of every stream, comma-separated, replacing the {@code expect}
 * argument), then reads up to the topic's tail, prints up to {@link StreamVerifier#MAX_REPORTED_ERRORS}
 * {@code ERROR} lines and one {@code SUMMARY} line, and exits 0 only if the stream was perfect. {@code STATUS}
 * prints a {@code STATUS} line at any time.
 * <p>
 * Arguments ({@code key=value}): dir, topic, name, start (earliest, latest or a position), processes, threads,
 * expect (messages per thread, one per producer process, -1 for unknown), seed, maxLength, and optional capacity,
 * drainTimeoutMs.
 */
public final class ConsumerMain
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final int POLLS_BETWEEN_COMMAND_CHECKS = 1024;

    private ConsumerMain()
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
        final ChildIo io = ChildIo.start(name);

        boolean drained = false;
        try (Topic topic = Topic.open(new Topic.Context()
            .dir(Paths.get(config.get("dir")))
            .topic(config.get("topic"))
            .capacity(config.getLong("capacity", Topic.Context.CAPACITY_DEFAULT))))
        {
            final Consumer consumer = topic.addConsumer(StartPosition.parse(config.get("start")));
            io.report("READY name=" + name + " position=" + consumer.position() +
                " pid=" + ProcessHandle.current().pid());

            final IdleStrategy idle = new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
            long finishDeadlineNs = 0;
            boolean finishing = false;
            int pollsSinceCheck = 0;
            while (true)
            {
                final int fragments = consumer.poll(verifier, FRAGMENT_LIMIT);
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
                        io.report("STATUS name=" + name + " position=" + consumer.position() +
                            " tail=" + topic.tailPosition() + " " + verifier.summary());
                    }
                }
                if (finishing)
                {
                    final long tail = topic.tailPosition();
                    if (consumer.position() >= tail)
                    {
                        drained = true;
                        break;
                    }
                    if (System.nanoTime() - finishDeadlineNs > 0)
                    {
                        io.report("ERROR drain timed out at position " + consumer.position() + ", tail " + tail);
                        break;
                    }
                }
                if (0 == fragments)
                {
                    idle.idle();
                }
            }
            consumer.close();
        }

        for (final String error : verifier.errors())
        {
            io.report("ERROR " + error);
        }
        final boolean perfect = drained && verifier.isPerfect();
        io.report("SUMMARY name=" + name + " " + verifier.summary() + " drained=" + drained);
        System.exit(perfect ? 0 : 1);
    }
}
