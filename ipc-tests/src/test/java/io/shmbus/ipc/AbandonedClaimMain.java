package io.shmbus.ipc;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * A producer process that claims one message and never commits it, as a producer killed between
 * {@code tryClaim} and {@code commit} leaves it.
 * <p>
 * Protocol: connects, adds a producer, prints {@code READY}, waits for {@code CLAIM}, claims {@code length} bytes
 * (retrying while back-pressured), fills the payload with {@code 0xFF} (a byte no {@link Payloads} message starts
 * with in a one-process run, so a consumer's {@link StreamVerifier} reports the frame if it is ever delivered),
 * prints {@code CLAIMED start=... end=...} (the stream positions of the claimed frame) and then blocks until it is
 * killed.
 * <p>
 * Arguments ({@code key=value}): dir, topic, length.
 */
public final class AbandonedClaimMain
{
    private AbandonedClaimMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final KeyValues config = KeyValues.parse(args);
        final int length = config.getInt("length");
        final ChildIo io = ChildIo.start("claimer");
        final ShmBus bus = ShmBus.connect(new ShmBus.Context()
            .dir(Paths.get(config.get("dir")))
            .errorHandler(error -> io.report("ASYNC_ERROR " + error)));
        final Producer producer = bus.addProducer(config.get("topic"));
        io.report("READY producerId=" + producer.producerId() + " pid=" + ProcessHandle.current().pid());
        if (null == io.await("CLAIM", TimeUnit.SECONDS.toMillis(300)))
        {
            io.report("ERROR no CLAIM within 300 s");
            System.exit(2);
        }

        final BufferClaim claim = new BufferClaim();
        final IdleStrategy idle = new BackoffIdleStrategy(
            10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        long end;
        while ((end = producer.tryClaim(length, claim)) <= 0)
        {
            if (Producer.BACK_PRESSURED != end && Producer.ADMIN_ACTION != end)
            {
                io.report("ERROR tryClaim: " + Producer.resultName(end));
                System.exit(1);
            }
            idle.idle();
        }
        claim.buffer().setMemory(claim.offset(), length, (byte)0xFF);
        final long start = end - FrameDescriptor.alignedLength(length + FrameDescriptor.HEADER_LENGTH);
        io.report("CLAIMED start=" + start + " end=" + end);
        while (true)
        {
            Thread.sleep(1_000); // never commits: the broker must unblock the claim once this process is killed
        }
    }
}
