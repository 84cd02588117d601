package io.shmbus.broker.cli;

import io.shmbus.client.FragmentHandler;
import io.shmbus.client.Header;
import org.agrona.DirectBuffer;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * What {@code shmbus subscribe} prints: each message's bytes and a newline, buffered, with a count of the messages
 * printed. Not thread-safe: the handler of one consumer on the command's thread.
 */
final class MessageLines implements FragmentHandler
{
    private final PrintStream lines;
    private byte[] scratch = new byte[256];
    private long received;

    MessageLines(final OutputStream out)
    {
        this.lines = new PrintStream(new BufferedOutputStream(out, 64 * 1024), false);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (scratch.length < length)
        {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        buffer.getBytes(offset, scratch, 0, length);
        lines.write(scratch, 0, length);
        lines.write('\n');
        received++;
    }

    long received()
    {
        return received;
    }

    void flush()
    {
        lines.flush();
    }
}
