package io.shmbus.broker;

import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * Keeps the CnC command ring moving when a client dies in the middle of writing a command: its claimed record
 * would stop the broker's reader at it for good, and with it every other client's commands and keepalives. When
 * the reader has not moved for {@code timeoutNs} while records are claimed beyond it, the claimed record is turned
 * into padding (Agrona's {@link ManyToOneRingBuffer#unblock()}), the command it held is lost (its client is dead,
 * or stalled past the timeout and gets no answer), and the ones after it are served.
 * <p>
 * Owned by the conductor thread.
 */
final class CommandRingUnblocker
{
    private final ManyToOneRingBuffer ring;
    private final long timeoutNs;
    private long lastConsumerPosition = -1;
    private long sinceNs;

    CommandRingUnblocker(final ManyToOneRingBuffer ring, final long timeoutNs)
    {
        this.ring = ring;
        this.timeoutNs = timeoutNs;
    }

    /**
     * @return true if a blocked command was turned into padding.
     */
    boolean check(final long nowNs)
    {
        final long consumerPosition = ring.consumerPosition();
        if (consumerPosition != lastConsumerPosition || ring.producerPosition() <= consumerPosition)
        {
            lastConsumerPosition = consumerPosition;
            sinceNs = nowNs;
            return false;
        }
        if (nowNs - sinceNs >= timeoutNs && ring.unblock())
        {
            sinceNs = nowNs;
            return true;
        }
        return false;
    }
}
