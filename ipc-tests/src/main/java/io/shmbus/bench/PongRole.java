package io.shmbus.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Child role {@code pong}: echoes every message of the ping stream, unchanged, on the pong stream until the parent
 * says stop. Prints {@code READY} once subscribed and {@code RESULT echoed=..} when stopped.
 */
final class PongRole
{
    private PongRole()
    {
    }

    static void run(final ChildArgs args)
    {
        final int fragmentLimit = args.intValue("fragmentLimit");
        final IdleStrategy idle = BenchChild.idleStrategy(args);

        try (Transport transport = Transport.create(args);
            BenchPublisher pongs = transport.publisher("pong", args.intValue("pongStreamId")))
        {
            final Echo echo = new Echo(pongs, idle);
            try (BenchSubscriber pings = transport.subscriber("ping", args.intValue("pingStreamId"), echo))
            {
                BenchChild.ready("");
                while (!BenchChild.stopRequested())
                {
                    idle.idle(pings.poll(fragmentLimit));
                }
            }
            BenchChild.result("echoed=" + echo.echoed);
        }
    }

    /** Offers each message back, spinning while the pong stream is back-pressured. */
    static final class Echo implements MessageHandler
    {
        private final BenchPublisher publisher;
        private final IdleStrategy idle;
        long echoed;

        Echo(final BenchPublisher publisher, final IdleStrategy idle)
        {
            this.publisher = publisher;
            this.idle = idle;
        }

        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            long result;
            while ((result = publisher.offer(buffer, offset, length)) < 0)
            {
                if (!publisher.isRetryable(result) || BenchChild.stopRequested())
                {
                    throw new IllegalStateException("echo " + echoed + " failed: " + publisher.describe(result));
                }
                idle.idle();
            }
            echoed++;
        }
    }
}
