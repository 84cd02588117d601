package io.shmbus.client.remote;

import io.shmbus.client.AllocationRounds;
import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import io.shmbus.client.StartPosition;
import io.shmbus.client.log.FrameDescriptor;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link RemoteConsumer#poll} allocates nothing once connected, over a stream of data frames of many sizes with
 * padding and heartbeats in between, checksums verified, frames cut wherever the socket cuts them.
 */
@Timeout(60)
class RemoteConsumerAllocationTest
{
    static final int MAX_FRAME = 4096 + 32;

    private long messages;
    private long sum;
    private final FragmentHandler handler = this::onFragment;

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        messages++;
        sum += buffer.getLong(offset) + header.position();
    }

    @Test
    void pollAllocatesNothingOnceConnected() throws Exception
    {
        final List<Throwable> errors = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        try (FakeBroker broker = new FakeBroker();
            RemoteConsumer consumer = RemoteConsumer.subscribe(new RemoteConsumer.Context().port(broker.port())
                .topic("alloc").start(StartPosition.EARLIEST).verifyChecksums(true).errorHandler(errors::add)))
        {
            final FakeBroker.Session session = broker.accept(consumer, handler);
            session.send(StreamBuilder.ok(0, MAX_FRAME));
            final Thread writer = new Thread(() -> writeForever(session, stop), "fake-broker-writer");
            writer.setDaemon(true);
            writer.start();
            try
            {
                receive(consumer, 100_000); // warm up: JIT, thread-locals
                AllocationRounds.assertOneClean("bytes allocated by poll in each round of 100,000 messages",
                    () -> receive(consumer, 100_000));
                assertEquals(List.of(), errors);
                assertEquals(RemoteConsumer.State.CONNECTED, consumer.state());
            }
            finally
            {
                stop.set(true);
                consumer.close();
                session.close();
                writer.join(10_000);
            }
        }
    }

    private void receive(final RemoteConsumer consumer, final int count)
    {
        final long target = messages + count;
        final long deadline = System.currentTimeMillis() + 20_000;
        while (messages < target)
        {
            if (0 == consumer.poll(handler, 64) && System.currentTimeMillis() > deadline)
            {
                fail("received only " + (count - (target - messages)) + " of " + count + " messages in 20 s: " +
                    consumer);
            }
        }
    }

    /** Frames of 8 to 4,096 payload bytes with checksums, a PAD every 97 and a HEARTBEAT every 50 messages. */
    static void writeForever(final FakeBroker.Session session, final AtomicBoolean stop)
    {
        final ByteBuffer batch = ByteBuffer.allocateDirect(256 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long position = 0;
        long i = 0;
        try
        {
            while (!stop.get())
            {
                batch.clear();
                while (batch.remaining() >= 2 * MAX_FRAME + 64)
                {
                    final int payload = (int)(8 + (i * 31 % 4089));
                    final int start = batch.position();
                    final int frameLength = FrameDescriptor.HEADER_LENGTH + payload;
                    batch.putInt(frameLength).putShort(FrameDescriptor.TYPE_DATA).put(FrameDescriptor.FLAG_CHECKSUM)
                        .put(FrameDescriptor.CURRENT_VERSION).putLong(position).putLong(i).putInt(1).putInt(0)
                        .putLong(i);
                    final ByteBuffer body = batch.duplicate();
                    body.limit(start + frameLength).position(start + FrameDescriptor.HEADER_LENGTH);
                    crc.reset();
                    crc.update(body);
                    batch.putInt(start + FrameDescriptor.CHECKSUM_OFFSET, (int)crc.getValue());
                    batch.position(start + FrameDescriptor.alignedLength(frameLength));
                    position += FrameDescriptor.alignedLength(frameLength);
                    if (i % 97 == 0)
                    {
                        batch.putInt(96).putShort(FrameDescriptor.TYPE_PAD).putShort((short)0).putLong(position)
                            .putLong(0).putLong(0);
                        batch.position(batch.position() + 64);
                        position += 96;
                    }
                    if (i % 50 == 0)
                    {
                        batch.putInt(32).putShort(FrameDescriptor.TYPE_HEARTBEAT).putShort((short)0).putLong(position)
                            .putLong(0).putLong(0);
                    }
                    i++;
                }
                batch.flip();
                while (batch.hasRemaining())
                {
                    session.channel.write(batch);
                }
            }
        }
        catch (final IOException ex)
        {
            // the consumer closed: done
        }
    }
}
