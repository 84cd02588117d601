package io.shmbus.bench;

import org.agrona.IoUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Child role {@code replay-sender}: the two reference senders of the replay benchmark. Connects to the receiver
 * and sends the given segment files in order, then prints {@code RESULT bytes=N cpuNs=C nanos=T}, C being this
 * process's CPU time (all threads) over the send only, not the JVM's start-up. With {@code go=true} it connects,
 * prints {@code READY}, waits for the parent's go before sending and for its stop after the result, so the parent
 * can read the process's counters or attach a tracer around the send alone (it reads no counters of its own then:
 * {@code cpuNs=-1}); with {@code warmup=true} as well it
 * first sends the first file once over a connection of its own (the receiver reports it like any other), so the
 * measured send runs on loaded classes.
 * <ul>
 *   <li>{@code mode=sendfile}: {@link FileChannel#transferTo} of each whole file, looped over partial sends: the
 *   physical limit, no framing, no checks.</li>
 *   <li>{@code mode=copy}: read into a direct buffer of {@code buffer} bytes, write it to the socket: the classic
 *   user-space copy loop.</li>
 *   <li>{@code mode=mmap}: map each whole file read-only and write the mapping to the socket, unmapping it after:
 *   one copy, from the page cache into the socket buffer, made by {@code write} itself.</li>
 * </ul>
 */
final class ReplaySenderRole
{
    /** A mapping is at most this long: a segment of up to 1 GiB is one mapping. */
    private static final long MAX_MAPPING = 1L << 30;
    private static final long GO_TIMEOUT_MS = 300_000;

    private ReplaySenderRole()
    {
    }

    static void run(final ChildArgs args) throws Exception
    {
        final String mode = args.get("mode");
        final String[] files = args.get("files").split(",");
        final InetSocketAddress receiver = new InetSocketAddress(InetAddress.getLoopbackAddress(),
            args.intValue("port"));
        final ByteBuffer buffer = "copy".equals(mode) ? ByteBuffer.allocateDirect((int)args.size("buffer")) : null;
        final boolean go = Boolean.parseBoolean(args.get("go", "false"));
        if (go && Boolean.parseBoolean(args.get("warmup", "false")))
        {
            try (SocketChannel socket = SocketChannel.open(receiver))
            {
                send(mode, Paths.get(files[0]), socket, buffer);
                socket.shutdownOutput();
            }
        }
        final ProcessCpu.Reading cpuBefore = go ? null : ProcessCpu.self();
        long startNs = System.nanoTime();
        long bytes = 0;
        try (SocketChannel socket = SocketChannel.open(receiver))
        {
            if (go)
            {
                BenchChild.ready("tid=" + BenchChild.threadId());
                if (!BenchChild.awaitGo(GO_TIMEOUT_MS))
                {
                    return;
                }
                startNs = System.nanoTime(); // the parent reads the counters: nothing else in the window
            }
            for (final String name : files)
            {
                bytes += send(mode, Paths.get(name), socket, buffer);
            }
            socket.shutdownOutput();
        }
        final long nanos = System.nanoTime() - startNs;
        BenchChild.result("bytes=" + bytes + " cpuNs=" + (go ? -1 : ProcessCpu.self().since(cpuBefore)) +
            " nanos=" + nanos);
        if (go)
        {
            BenchChild.awaitStop(); // a tracer detaches before the exit
        }
    }

    private static long send(final String mode, final Path file, final SocketChannel socket, final ByteBuffer buffer)
        throws Exception
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return "sendfile".equals(mode) ? sendfile(channel, socket) : "mmap".equals(mode) ?
                mmapWrite(channel, socket) : copy(channel, socket, buffer);
        }
    }

    private static long sendfile(final FileChannel file, final SocketChannel socket) throws Exception
    {
        final long size = file.size();
        long position = 0;
        while (position < size)
        {
            position += file.transferTo(position, size - position, socket);
        }
        return size;
    }

    private static long mmapWrite(final FileChannel file, final SocketChannel socket) throws Exception
    {
        final long size = file.size();
        long total = 0;
        for (long position = 0; position < size; position += MAX_MAPPING)
        {
            final MappedByteBuffer mapped = file.map(FileChannel.MapMode.READ_ONLY, position,
                Math.min(MAX_MAPPING, size - position));
            try
            {
                while (mapped.hasRemaining())
                {
                    total += socket.write(mapped);
                }
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        return total;
    }

    private static long copy(final FileChannel file, final SocketChannel socket, final ByteBuffer buffer)
        throws Exception
    {
        long total = 0;
        buffer.clear();
        while (file.read(buffer) >= 0 || buffer.position() > 0)
        {
            buffer.flip();
            while (buffer.hasRemaining())
            {
                total += socket.write(buffer);
            }
            buffer.clear();
        }
        return total;
    }
}
