package io.shmbus.bench;

import io.shmbus.client.Consumer;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;

/**
 * Child role {@code zc-consumer} of {@code scripts/bench zero-copy}: a local consumer of {@code topic} from its
 * earliest position that, at each go from the parent, polls until its position has moved by {@code bytes} and prints
 * {@code RESULT position=P emptyPolls=E nanos=T}, until the parent says stop. The handler reads each message in
 * place (its sequence number, checked against the count) and copies nothing. Busy-spins on an empty poll (counted:
 * the parent lets it go only when the bytes are in the ring, so a count near zero means it never waited); runs on
 * its main thread.
 */
final class ZeroCopyConsumerRole
{
    private static final long GO_TIMEOUT_MS = 300_000;
    private static final int FRAGMENT_LIMIT = 64;

    private long expected;
    private long mismatch = -1;

    private ZeroCopyConsumerRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        new ZeroCopyConsumerRole().consume(args);
    }

    private void consume(final ChildArgs args) throws InterruptedException
    {
        final long bytes = args.size("bytes");
        final FragmentHandler handler = (buffer, offset, length, header) ->
        {
            if (buffer.getLong(offset) != expected++ && mismatch < 0)
            {
                mismatch = expected - 1;
            }
        };
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(args.path("dir"))))
        {
            final Consumer consumer = bus.addConsumer(args.get("topic"), StartPosition.EARLIEST);
            BenchChild.ready("tid=" + BenchChild.threadId());
            while (BenchChild.awaitGo(GO_TIMEOUT_MS))
            {
                final long startNs = System.nanoTime();
                final long target = consumer.position() + bytes;
                long emptyPolls = 0;
                while (consumer.position() < target)
                {
                    if (0 == consumer.poll(handler, FRAGMENT_LIMIT))
                    {
                        if ((++emptyPolls & 0xFFFFF) == 0 && BenchChild.stopRequested())
                        {
                            throw new IllegalStateException("stopped by the parent at position " +
                                consumer.position() + " of " + target);
                        }
                        Thread.onSpinWait();
                    }
                }
                if (mismatch >= 0)
                {
                    throw new IllegalStateException("message " + mismatch + " carried another sequence number");
                }
                BenchChild.result("position=" + consumer.position() + " emptyPolls=" + emptyPolls + " nanos=" +
                    (System.nanoTime() - startNs));
            }
        }
    }
}
