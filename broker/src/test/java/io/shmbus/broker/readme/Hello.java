package io.shmbus.broker.readme;

import io.shmbus.client.Consumer;
import io.shmbus.client.Producer;
import io.shmbus.client.ShmBus;
import io.shmbus.client.StartPosition;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

public final class Hello
{
    public static void main(final String[] args)
    {
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context())) // the broker of /dev/shm/shmbus-<user>
        {
            final Consumer consumer = bus.addConsumer("greetings", StartPosition.LATEST);
            final Producer producer = bus.addProducer("greetings");
            final UnsafeBuffer message = new UnsafeBuffer("hello".getBytes(StandardCharsets.UTF_8));
            long result;
            while ((result = producer.offer(message, 0, message.capacity())) == Producer.BACK_PRESSURED)
            {
                Thread.onSpinWait(); // a consumer has not read far enough yet
            }
            if (result < 0)
            {
                throw new IllegalStateException("not sent: " + Producer.resultName(result));
            }
            while (0 == consumer.poll((buffer, offset, length, header) ->
                System.out.println(buffer.getStringWithoutLengthUtf8(offset, length)), 10))
            {
                Thread.onSpinWait();
            }
        }
    }
}
