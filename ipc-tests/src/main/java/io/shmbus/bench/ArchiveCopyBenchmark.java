package io.shmbus.bench;

import org.agrona.IoUtil;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * {@code scripts/bench archive-copy}: the ways the archiver could move committed bytes from the shared-memory ring
 * file to segment files, measured in one process, one after another and in alternating order, in steps of the
 * archiver's size (1 MiB) into segments of the default length (128 MiB):
 * <ul>
 *     <li>how a step is copied: {@code transferTo} (in-kernel, the first archiver), {@code write} of a slice of the
 *     mapped ring (one copy by the kernel from the mapping), the same with the CRC32C of each step that the
 *     archiver records in its checksum index (over the whole step before one write, or per piece right before
 *     each piece's write, as the archiver does), a put from the mapped ring into a mapped segment (a copy in user
 *     space, the kernel only faulting pages in), and a read into a direct or a heap buffer then a write;</li>
 *     <li>where it goes: a new file that grows as it is written, a new file set to its full length first (sparse),
 *     a new file written with zeros to its full length first (that write is timed too), or a retired segment
 *     renamed to the new one's name and overwritten (its pages still cached, as with retention keeping a few
 *     segments).</li>
 * </ul>
 * Reports GiB/s and the copying thread's CPU time per GiB, median of the runs.
 * <p>
 * The ring lives in {@code /dev/shm} like a topic log; segments go to {@code --data-dir} (default under
 * {@code target/}, the project's disk). Writes go to the page cache (durability {@code none}); the disk's own speed
 * is the same for every method and is left out by deleting each run's segments after it.
 */
public final class ArchiveCopyBenchmark
{
    private static final int STEP = 1024 * 1024;
    private static final int RING = 64 * 1024 * 1024;
    private static final int SEGMENT = 128 * 1024 * 1024;
    private static final List<String> METHOD_IDS = List.of("transfer-to", "write", "write-crc", "write-crc-128k",
        "write-crc-256k", "sparse", "zero-filled", "recycled", "recycled-128k", "recycled-write", "mapped-sparse",
        "mapped-recycled", "read-write-direct", "read-write-heap");
    /** Retired segments a recycling run renames in turn: the pages of one written two segments ago. */
    private static final int POOL = 2;

    /** Copies one step from the ring to a segment. */
    private interface Copy
    {
        void step(Target target, int ringOffset, long segmentOffset) throws IOException;
    }

    /** How the segment files come to be. */
    private enum SegmentFiles
    {
        GROWING, SPARSE, ZERO_FILLED, RECYCLED
    }

    private record Method(String id, SegmentFiles files, boolean mapSegment, Copy copy)
    {
    }

    /** What a step copies from and to, and the state the copies keep. */
    private static final class Target
    {
        final FileChannel ring;
        final MappedByteBuffer mapped;
        final CRC32C crc = new CRC32C();
        final ByteBuffer direct = ByteBuffer.allocateDirect(STEP);
        final ByteBuffer heap = ByteBuffer.allocate(STEP);
        final ByteBuffer zeros = ByteBuffer.allocateDirect(STEP);
        FileChannel segment;
        MappedByteBuffer segmentMap;
        long checksums;

        Target(final FileChannel ring, final MappedByteBuffer mapped)
        {
            this.ring = ring;
            this.mapped = mapped;
        }
    }

    public static void main(final String[] args) throws Exception
    {
        int runs = 5;
        long total = 1L << 30;
        List<String> only = null;
        Path dataDir = BenchMain.root().resolve("ipc-tests").resolve("target").resolve("bench-copy");
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--runs":
                        runs = BenchOptions.positiveInt("--runs", BenchOptions.value(args, ++i, "--runs"));
                        break;
                    case "--size-mib":
                        total = BenchOptions.wholeNumber("--size-mib", BenchOptions.value(args, ++i, "--size-mib"),
                            1 << 20) << 20;
                        break;
                    case "--methods":
                        only = List.of(BenchOptions.value(args, ++i, "--methods").split(","));
                        break;
                    case "--data-dir":
                        dataDir = Paths.get(BenchOptions.value(args, ++i, "--data-dir"));
                        break;
                    case "-h":
                    case "--help":
                        System.out.println("usage: scripts/bench archive-copy [--runs N (5)] [--size-mib M (1024)] " +
                            "[--data-dir DIR (ipc-tests/target/bench-copy)] [--methods ID,... (all)]\n" +
                            "methods: " + String.join(", ", METHOD_IDS));
                        return;
                    default:
                        throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench archive-copy: " + ex.getMessage());
            System.exit(2);
        }
        if (runs < 1 || total < STEP)
        {
            System.err.println("bench archive-copy: --runs must be >= 1 and --size-mib >= 1");
            System.exit(2);
        }

        final Map<String, Method> methods = new LinkedHashMap<>();
        methods.put("transferTo, growing file (the first archiver)",
            new Method("transfer-to", SegmentFiles.GROWING, false, ArchiveCopyBenchmark::transferTo));
        methods.put("write(mapped ring slice), growing file",
            new Method("write", SegmentFiles.GROWING, false, (t, r, s) -> write(t, r, s, false)));
        methods.put("write + CRC32C, growing file (the archiver before)",
            new Method("write-crc", SegmentFiles.GROWING, false, (t, r, s) -> write(t, r, s, true)));
        methods.put("write + CRC32C per 128 KiB piece, growing file (the archiver)",
            new Method("write-crc-128k", SegmentFiles.GROWING, false, (t, r, s) -> writeInPieces(t, r, s, 128 << 10)));
        methods.put("write + CRC32C per 256 KiB piece, growing file",
            new Method("write-crc-256k", SegmentFiles.GROWING, false, (t, r, s) -> writeInPieces(t, r, s, 256 << 10)));
        methods.put("write + CRC32C, sparse file of full length",
            new Method("sparse", SegmentFiles.SPARSE, false, (t, r, s) -> write(t, r, s, true)));
        methods.put("write + CRC32C, zero-filled file (the fill timed)",
            new Method("zero-filled", SegmentFiles.ZERO_FILLED, false, (t, r, s) -> write(t, r, s, true)));
        methods.put("write + CRC32C, recycled segment (renamed, cached)",
            new Method("recycled", SegmentFiles.RECYCLED, false, (t, r, s) -> write(t, r, s, true)));
        methods.put("write + CRC32C per 128 KiB piece, recycled segment",
            new Method("recycled-128k", SegmentFiles.RECYCLED, false, (t, r, s) -> writeInPieces(t, r, s, 128 << 10)));
        methods.put("write without CRC32C, recycled segment",
            new Method("recycled-write", SegmentFiles.RECYCLED, false, (t, r, s) -> write(t, r, s, false)));
        methods.put("put into mapped segment + CRC32C, sparse file",
            new Method("mapped-sparse", SegmentFiles.SPARSE, true, ArchiveCopyBenchmark::putMapped));
        methods.put("put into mapped segment + CRC32C, recycled segment",
            new Method("mapped-recycled", SegmentFiles.RECYCLED, true, ArchiveCopyBenchmark::putMapped));
        methods.put("read+write, direct buffer, growing file",
            new Method("read-write-direct", SegmentFiles.GROWING, false, (t, r, s) -> readWrite(t, r, s, t.direct)));
        methods.put("read+write, heap buffer, growing file",
            new Method("read-write-heap", SegmentFiles.GROWING, false, (t, r, s) -> readWrite(t, r, s, t.heap)));
        if (null != only)
        {
            for (final String id : only)
            {
                if (!METHOD_IDS.contains(id))
                {
                    System.err.println("bench archive-copy: unknown method '" + id + "'; methods: " +
                        String.join(", ", METHOD_IDS));
                    System.exit(2);
                }
            }
            final List<String> keep = only;
            methods.values().removeIf(method -> !keep.contains(method.id()));
        }
        Files.createDirectories(dataDir);
        final Path ringFile = Files.createTempFile(Paths.get("/dev/shm"), "shmbus-bench-ring-", ".log");
        final Map<String, List<double[]>> results = new LinkedHashMap<>();
        methods.keySet().forEach(name -> results.put(name, new ArrayList<>()));
        try (FileChannel ring = FileChannel.open(ringFile, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = ring.map(FileChannel.MapMode.READ_WRITE, 0, RING);
            final byte[] noise = new byte[4096];
            for (int at = 0; at < RING; at += noise.length)
            {
                ThreadLocalRandom.current().nextBytes(noise);
                mapped.put(at, noise);
            }
            final Target target = new Target(ring, mapped);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final List<String> names = new ArrayList<>(methods.keySet());
            for (int run = 0; run < runs; run++)
            {
                final List<String> order = new ArrayList<>(names);
                if ((run & 1) == 1)
                {
                    java.util.Collections.reverse(order);
                }
                for (final String name : order)
                {
                    final Method method = methods.get(name);
                    final Path dir = Files.createDirectories(dataDir.resolve("run-" + run));
                    try
                    {
                        final List<Path> pool = method.files() == SegmentFiles.RECYCLED ? retiredSegments(dir, mapped) :
                            List.of();
                        final long cpu0 = threads.getCurrentThreadCpuTime();
                        final long t0 = System.nanoTime();
                        copy(method, target, dir, pool, total);
                        final long elapsed = System.nanoTime() - t0;
                        final long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                        final double gib = total / (double)(1L << 30);
                        results.get(name).add(new double[]{ gib / (elapsed / 1e9), cpu / 1e9 / gib });
                    }
                    finally
                    {
                        deleteAll(dir);
                    }
                }
                System.err.printf("bench archive-copy: run %d of %d done%n", run + 1, runs);
            }
            if (target.checksums == 42)
            {
                System.err.print(""); // keeps the checksums alive
            }
        }
        finally
        {
            Files.deleteIfExists(ringFile);
        }
        report(results, runs, total);
    }

    /** Segments written before the timed copy, as retention would leave them for recycling: in the page cache. */
    private static List<Path> retiredSegments(final Path dir, final MappedByteBuffer mapped) throws IOException
    {
        final List<Path> pool = new ArrayList<>();
        for (int i = 0; i < POOL; i++)
        {
            final Path file = dir.resolve("retired-" + i + ".seg");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE))
            {
                for (long at = 0; at < SEGMENT; at += STEP)
                {
                    final ByteBuffer slice = mapped.slice((int)(at % RING), STEP);
                    while (slice.hasRemaining())
                    {
                        channel.write(slice, at + slice.position());
                    }
                }
            }
            pool.add(file);
        }
        return pool;
    }

    /** The timed part: every step of {@code total} bytes, a new segment each {@link #SEGMENT} bytes. */
    private static void copy(
        final Method method, final Target target, final Path dir, final List<Path> pool, final long total)
        throws IOException
    {
        final List<Path> retired = new ArrayList<>(pool);
        long position = 0;
        while (position < total)
        {
            final Path file = dir.resolve(String.format("%020d.seg", position));
            switch (method.files())
            {
                case GROWING:
                    target.segment = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                    break;
                case SPARSE:
                    target.segment = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                    target.segment.write(ByteBuffer.allocate(1), SEGMENT - 1);
                    break;
                case ZERO_FILLED:
                    target.segment = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                    zeroFill(target);
                    break;
                case RECYCLED:
                    final Path oldest = retired.remove(0);
                    Files.move(oldest, file, StandardCopyOption.ATOMIC_MOVE);
                    target.segment = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    break;
                default:
                    throw new IllegalStateException(method.files().name());
            }
            if (method.mapSegment())
            {
                target.segmentMap = target.segment.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT);
            }
            final long segmentEnd = Math.min(total, position + SEGMENT);
            for (long at = position; at < segmentEnd; at += STEP)
            {
                method.copy().step(target, (int)(at % RING), at - position);
            }
            if (null != target.segmentMap)
            {
                IoUtil.unmap(target.segmentMap);
                target.segmentMap = null;
            }
            target.segment.close();
            retired.add(file);
            position = segmentEnd;
        }
    }

    private static void zeroFill(final Target target) throws IOException
    {
        final ByteBuffer zeros = target.zeros;
        for (long at = 0; at < SEGMENT; at += STEP)
        {
            zeros.clear();
            while (zeros.hasRemaining())
            {
                target.segment.write(zeros, at + zeros.position());
            }
        }
    }

    private static void transferTo(final Target target, final int ringOffset, final long segmentOffset)
        throws IOException
    {
        long done = 0;
        while (done < STEP)
        {
            done += target.ring.transferTo(ringOffset + done, STEP - done, target.segment);
        }
    }

    /** A positional write of the mapped ring slice, after its CRC32C when {@code crc}. */
    private static void write(final Target target, final int ringOffset, final long segmentOffset, final boolean crc)
        throws IOException
    {
        final ByteBuffer slice = target.mapped.slice(ringOffset, STEP);
        if (crc)
        {
            checksum(target, slice);
        }
        while (slice.hasRemaining())
        {
            target.segment.write(slice, segmentOffset + slice.position());
        }
    }

    /**
     * The step in pieces, each added to the step's CRC32C right before it is written (the archiver's way); one
     * checksum over the whole step, as the checksum index records it.
     */
    private static void writeInPieces(
        final Target target, final int ringOffset, final long segmentOffset, final int piece) throws IOException
    {
        target.crc.reset();
        for (int done = 0; done < STEP; done += piece)
        {
            final ByteBuffer slice = target.mapped.slice(ringOffset + done, piece);
            target.crc.update(slice.duplicate());
            while (slice.hasRemaining())
            {
                target.segment.write(slice, segmentOffset + done + slice.position());
            }
        }
        target.checksums += target.crc.getValue();
    }

    /** The CRC32C of the step, then a put from the mapped ring into the mapped segment. */
    private static void putMapped(final Target target, final int ringOffset, final long segmentOffset)
    {
        final ByteBuffer slice = target.mapped.slice(ringOffset, STEP);
        checksum(target, slice);
        target.segmentMap.put((int)segmentOffset, slice, 0, STEP);
    }

    private static void checksum(final Target target, final ByteBuffer slice)
    {
        target.crc.reset();
        target.crc.update(slice.duplicate());
        target.checksums += target.crc.getValue();
    }

    private static void readWrite(
        final Target target, final int ringOffset, final long segmentOffset, final ByteBuffer buffer)
        throws IOException
    {
        buffer.clear();
        while (buffer.hasRemaining())
        {
            target.ring.read(buffer, ringOffset + buffer.position());
        }
        buffer.flip();
        while (buffer.hasRemaining())
        {
            target.segment.write(buffer, segmentOffset + buffer.position());
        }
    }

    private static void deleteAll(final Path dir) throws IOException
    {
        try (var files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void report(final Map<String, List<double[]>> results, final int runs, final long total)
        throws IOException
    {
        final StringBuilder md = new StringBuilder();
        md.append("# Archive copy: ring file (/dev/shm) to segment file\n\n");
        md.append("Command: `").append(System.getProperty("shmbus.bench.command", "scripts/bench archive-copy"))
            .append("` (code ").append(System.getProperty("shmbus.bench.code", "?")).append(")\n\n");
        md.append(String.format("%d MiB per run in %d KiB steps (the archiver's step) into %d MiB segments, %d runs, " +
            "alternating order; median (min-max). CPU is the copying thread's, opening, filling and renaming the " +
            "segments included.%n%n", total >> 20, STEP >> 10, SEGMENT >> 20, runs));
        md.append("| method | GiB/s | CPU s per GiB | throughput vs the first row | CPU vs the first row |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        double[] anchor = null;
        for (final Map.Entry<String, List<double[]>> entry : results.entrySet())
        {
            final double[] speed = entry.getValue().stream().mapToDouble(r -> r[0]).sorted().toArray();
            final double[] cpu = entry.getValue().stream().mapToDouble(r -> r[1]).sorted().toArray();
            final double[] median = { median(speed), median(cpu) };
            if (null == anchor)
            {
                anchor = median;
            }
            md.append(String.format("| %s | %.2f (%.2f-%.2f) | %.3f (%.3f-%.3f) | %.2f | %.2f |%n", entry.getKey(),
                median[0], speed[0], speed[speed.length - 1], median[1], cpu[0], cpu[cpu.length - 1],
                median[0] / anchor[0], median[1] / anchor[1]));
        }
        md.append("\nMachine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
            .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
            .append(", load average ").append(MachineInfo.loadAverage()).append('\n');
        final PrintStream out = System.out;
        out.print(md);
        final Path file = BenchMain.reportFile(null, "archive-copy", LocalDateTime.now());
        Files.createDirectories(file.getParent());
        Files.write(file, md.toString().getBytes(StandardCharsets.UTF_8));
        out.println("\nreport: " + file);
    }

    private static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }


    private ArchiveCopyBenchmark()
    {
    }
}
