package io.shmbus.client.bytes;

import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmbusException;
import io.shmbus.client.StartPosition;
import io.shmbus.client.Topic;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Paths;

/**
 * Child process of {@link ClientWithoutChronicleTest}. {@code core DIR}: on a class path without Chronicle, loads the
 * core client classes and sends one message through a topic in DIR. {@code bytes}: in a JVM without Chronicle's
 * options, constructs a {@link BytesClaim}. Prints one line to standard output.
 */
public final class ClientOnlyMain
{
    private ClientOnlyMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if ("core".equals(args[0]))
        {
            try
            {
                Class.forName("net.openhft.chronicle.bytes.Bytes");
                System.out.println("chronicle is on the class path");
                System.exit(1);
            }
            catch (final ClassNotFoundException expected)
            {
                // the point: the core client must not need it
            }
            for (final String name : new String[]{"ShmBus", "Producer", "ExclusiveProducer", "Consumer", "Topic",
                "remote.RemoteConsumer", "BufferClaim", "JvmRequirements"})
            {
                Class.forName("io.shmbus.client." + name, true, ClientOnlyMain.class.getClassLoader());
            }
            try (Topic topic = Topic.open(new Topic.Context().dir(Paths.get(args[1])).topic("core")))
            {
                final Producer producer = topic.addProducer();
                final Consumer consumer = topic.addConsumer(StartPosition.EARLIEST);
                final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
                message.putLong(0, 4242);
                final long[] got = {0};
                if (producer.offer(message, 0, 8) <= 0 ||
                    1 != consumer.poll((buffer, offset, length, header) -> got[0] = buffer.getLong(offset), 1))
                {
                    System.out.println("round trip failed");
                    System.exit(1);
                }
                System.out.println("ok " + got[0]);
            }
        }
        else
        {
            try
            {
                new BytesClaim();
                System.out.println("constructed");
            }
            catch (final ShmbusException ex)
            {
                System.out.println(ex.getMessage());
            }
        }
    }
}
