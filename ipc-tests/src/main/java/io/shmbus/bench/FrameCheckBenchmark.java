package io.shmbus.bench;

import io.shmbus.broker.archive.StoredFrameWalk;
import io.shmbus.client.log.FrameDescriptor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code scripts/bench frame-check}: what checking every stored frame header before sending costs the network
 * server and {@code shmbus replay}: the CPU time per GiB of a {@link StoredFrameWalk} over a segment file warm in
 * the page cache, for frames of several sizes, next to the CPU time per GiB of {@code transferTo} of the same file
 * to a local socket (the send it guards). Thread CPU time, so other load on the machine changes little.
 */
public final class FrameCheckBenchmark
{
    private static final long SEGMENT = 256L * 1024 * 1024;

    public static void main(final String[] args) throws Exception
    {
        final int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final Path dir = BenchMain.root().resolve("ipc-tests").resolve("target").resolve(
            "bench-frame-check");
        Files.createDirectories(dir);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.println("| frame | header walk CPU s/GiB (median of " + runs + ") | transferTo to a socket CPU " +
            "s/GiB (median) | walk ÷ transferTo |");
        System.out.println("|---:|---:|---:|---:|");
        for (final int frame : new int[]{64 * 1024, 1024, 256, 64})
        {
            final Path file = dir.resolve("frames-" + frame + ".seg");
            write(file, frame);
            final double[] walk = new double[runs];
            final double[] send = new double[runs];
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                final StoredFrameWalk walker = new StoredFrameWalk(64 * 1024);
                for (int run = 0; run < runs; run++)
                {
                    long cpu = threads.getCurrentThreadCpuTime();
                    walker.start(channel, 0, 0, SEGMENT);
                    long frames = 0;
                    while (walker.hasFrame())
                    {
                        walker.next();
                        frames++;
                    }
                    if (null != walker.problem() || frames != SEGMENT / frame)
                    {
                        throw new IllegalStateException("walk: " + walker.problem() + " after " + frames);
                    }
                    walk[run] = (threads.getCurrentThreadCpuTime() - cpu) / 1e9 / (SEGMENT / (double)(1L << 30));
                    cpu = threads.getCurrentThreadCpuTime();
                    SocketSink.send(channel, SEGMENT);
                    send[run] = (threads.getCurrentThreadCpuTime() - cpu) / 1e9 / (SEGMENT / (double)(1L << 30));
                }
            }
            finally
            {
                Files.deleteIfExists(file);
            }
            java.util.Arrays.sort(walk);
            java.util.Arrays.sort(send);
            System.out.printf("| %d B | %.4f | %.4f | %.3f |%n", frame, walk[runs / 2], send[runs / 2],
                walk[runs / 2] / send[runs / 2]);
        }
        System.out.println("\nload average " + MachineInfo.loadAverage() + ", " +
            Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    private static void write(final Path file, final int frame) throws IOException
    {
        final ByteBuffer block = ByteBuffer.allocateDirect(1024 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            for (long at = 0; at < SEGMENT; at += block.capacity())
            {
                block.clear();
                for (int offset = 0; offset < block.capacity(); offset += frame)
                {
                    block.putLong(offset, FrameDescriptor.commitWord(frame, FrameDescriptor.TYPE_DATA, (byte)0));
                    block.putLong(offset + FrameDescriptor.POSITION_OFFSET, at + offset);
                }
                while (block.hasRemaining())
                {
                    channel.write(block, at + block.position());
                }
            }
        }
    }

    /** A loopback connection whose other end a thread drains; the sending thread's CPU is what is measured. */
    private static final class SocketSink
    {
        static void send(final FileChannel file, final long length) throws Exception
        {
            try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0));
                java.nio.channels.SocketChannel out = java.nio.channels.SocketChannel.open(
                    server.getLocalAddress());
                java.nio.channels.SocketChannel in = server.accept())
            {
                final Thread drain = new Thread(() ->
                {
                    final ByteBuffer buffer = ByteBuffer.allocateDirect(4 * 1024 * 1024);
                    try
                    {
                        while (in.read(buffer.clear()) >= 0)
                        {
                            // discard
                        }
                    }
                    catch (final IOException ignore)
                    {
                        // closed
                    }
                });
                drain.start();
                long sent = 0;
                while (sent < length)
                {
                    sent += file.transferTo(sent, length - sent, out);
                }
                out.shutdownOutput();
                drain.join();
            }
        }
    }

    private FrameCheckBenchmark()
    {
    }
}
