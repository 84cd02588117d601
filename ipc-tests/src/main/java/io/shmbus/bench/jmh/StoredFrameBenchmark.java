package io.shmbus.bench.jmh;

import io.shmbus.bench.BenchDirs;
import io.shmbus.broker.archive.StoredFrameWalk;
import io.shmbus.client.log.StoredFrameCheck;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static io.shmbus.client.log.FrameDescriptor.*;

/**
 * What checking stored frames costs per frame, over a segment file of {@link #FRAMES} sound data frames in
 * {@code /dev/shm} (so always warm in memory): {@link #walk()} is the broker's {@link StoredFrameWalk} from the first
 * frame to the last (positional reads of 64 KiB chunks, the check of each header), as recovery, {@code verify}, the
 * network server and replay walk a segment; {@link #check()} is {@link StoredFrameCheck#problem} alone over every
 * header of the file mapped, the part of the walk that does not depend on how the bytes are read. Scores are per
 * frame. Nothing is published, so no consumer is needed.
 * <p>
 * JMH runs each state in one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(2)
public class StoredFrameBenchmark
{
    /** Frames in the segment; the file is 1 MiB at 32 B payloads and 16.5 MiB at 1 KiB. */
    static final int FRAMES = 16 * 1024;

    /** Payload bytes of every frame. */
    @Param({"32", "1024"})
    public int size;

    private final StoredFrameWalk walker = new StoredFrameWalk(StoredFrameCheck.MAX_FRAME_LENGTH);
    private Path dir;
    private FileChannel channel;
    private MappedByteBuffer mapped;
    private UnsafeBuffer segment;
    private long end;

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        dir = BenchDirs.createFresh(BenchTopic.parentDir(), "shmbus-jmh-");
        final int frameLength = HEADER_LENGTH + size;
        final int aligned = alignedLength(frameLength);
        end = (long)FRAMES * aligned;
        final ByteBuffer frames = ByteBuffer.allocateDirect((int)end).order(ByteOrder.LITTLE_ENDIAN);
        final UnsafeBuffer view = new UnsafeBuffer(frames);
        for (int i = 0; i < FRAMES; i++)
        {
            final int offset = i * aligned;
            view.putLong(offset + FRAME_LENGTH_OFFSET, commitWord(frameLength, TYPE_DATA, (byte)0));
            view.putLong(offset + POSITION_OFFSET, offset);
            view.putLong(offset + TIMESTAMP_OFFSET, 1_000_000_000L * i);
            view.putInt(offset + PRODUCER_ID_OFFSET, 1);
        }
        channel = FileChannel.open(dir.resolve("00000000000000000000.seg"), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        while (frames.hasRemaining())
        {
            channel.write(frames, frames.position());
        }
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, end);
        segment = new UnsafeBuffer(mapped);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        IoUtil.unmap(mapped);
        channel.close();
        BenchDirs.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long walk() throws IOException
    {
        walker.start(channel, 0, 0, end);
        while (walker.hasFrame())
        {
            walker.next();
        }
        if (null != walker.problem() || walker.position() != end)
        {
            throw new IllegalStateException("walk stopped at " + walker.position() + ": " + walker.problem());
        }
        return walker.previous();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long check()
    {
        long position = 0;
        while (position < end)
        {
            final String problem = StoredFrameCheck.problem(segment, (int)position, position, end - position,
                StoredFrameCheck.MAX_FRAME_LENGTH);
            if (null != problem)
            {
                throw new IllegalStateException("frame at " + position + ": " + problem);
            }
            position += alignedLength(segment.getInt((int)position + FRAME_LENGTH_OFFSET));
        }
        return position;
    }
}
