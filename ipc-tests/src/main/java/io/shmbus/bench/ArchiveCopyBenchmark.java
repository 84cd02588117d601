package io.shmbus.bench;

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
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * {@code scripts/bench archive-copy}: the ways the archiver could move committed bytes from the shared-memory ring
 * file to a segment file, measured in one process, one after another and in alternating order, in steps of the
 * archiver's size (1 MiB): {@code transferTo} (in-kernel, the first archiver), {@code write} of a slice of the
 * mapped ring (one copy by the kernel from the mapping), the same with the CRC32C of each step that the archiver
 * records in its checksum index (what the archiver does now), and a read into a direct or a heap buffer then a
 * write (the copy loop through user space). Reports GiB/s and the copying thread's CPU time per GiB, median of
 * the runs.
 * <p>
 * The ring lives in {@code /dev/shm} like a topic log; segments go to {@code --data-dir} (default under
 * {@code target/}, the project's disk). Writes go to the page cache (durability {@code none}); the disk's own speed
 * is the same for every method and is left out by deleting each segment before the next run.
 */
public final class ArchiveCopyBenchmark
{
    private static final int STEP = 1024 * 1024;
    private static final int RING = 64 * 1024 * 1024;

    private interface Method
    {
        void copy(FileChannel ring, MappedByteBuffer mapped, FileChannel segment, long total) throws IOException;
    }

    public static void main(final String[] args) throws Exception
    {
        int runs = 5;
        long total = 1L << 30;
        Path dataDir = Paths.get(System.getProperty("shmbus.bench.root", "."), "ipc-tests", "target", "bench-copy");
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--runs":
                    runs = Integer.parseInt(value(args, ++i, "--runs"));
                    break;
                case "--size-mib":
                    total = Long.parseLong(value(args, ++i, "--size-mib")) << 20;
                    break;
                case "--data-dir":
                    dataDir = Paths.get(value(args, ++i, "--data-dir"));
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: scripts/bench archive-copy [--runs N (5)] [--size-mib M (1024)] " +
                        "[--data-dir DIR (ipc-tests/target/bench-copy)]");
                    return;
                default:
                    System.err.println("bench archive-copy: unknown option '" + args[i] + "' (see --help)");
                    System.exit(2);
            }
        }
        if (runs < 1 || total < STEP)
        {
            System.err.println("bench archive-copy: --runs must be >= 1 and --size-mib >= 1");
            System.exit(2);
        }

        final Map<String, Method> methods = new LinkedHashMap<>();
        methods.put("transferTo (in-kernel; the first archiver)", ArchiveCopyBenchmark::transferTo);
        methods.put("write(mapped ring slice) (the archiver before the checksum index)",
            ArchiveCopyBenchmark::writeMapped);
        methods.put("write(mapped ring slice) + CRC32C of the step (the archiver)",
            ArchiveCopyBenchmark::writeMappedCrc);
        methods.put("read+write, direct buffer", (r, m, s, t) -> readWrite(r, s, t, ByteBuffer.allocateDirect(STEP)));
        methods.put("read+write, heap buffer", (r, m, s, t) -> readWrite(r, s, t, ByteBuffer.allocate(STEP)));

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
                    final Path segment = dataDir.resolve("segment-" + run + ".seg");
                    try (FileChannel out = FileChannel.open(segment, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
                    {
                        final long cpu0 = threads.getCurrentThreadCpuTime();
                        final long t0 = System.nanoTime();
                        methods.get(name).copy(ring, mapped, out, total);
                        final long elapsed = System.nanoTime() - t0;
                        final long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                        final double gib = total / (double)(1L << 30);
                        results.get(name).add(new double[]{ gib / (elapsed / 1e9), cpu / 1e9 / gib });
                    }
                    finally
                    {
                        Files.deleteIfExists(segment);
                    }
                }
                System.err.printf("bench archive-copy: run %d of %d done%n", run + 1, runs);
            }
        }
        finally
        {
            Files.deleteIfExists(ringFile);
        }
        report(results, runs, total);
    }

    private static void transferTo(
        final FileChannel ring, final MappedByteBuffer mapped, final FileChannel segment, final long total)
        throws IOException
    {
        long position = 0;
        while (position < total)
        {
            final long at = position % RING;
            long done = 0;
            while (done < STEP)
            {
                done += ring.transferTo(at + done, STEP - done, segment);
            }
            position += STEP;
        }
    }

    private static void writeMapped(
        final FileChannel ring, final MappedByteBuffer mapped, final FileChannel segment, final long total)
        throws IOException
    {
        long position = 0;
        while (position < total)
        {
            final ByteBuffer slice = mapped.slice((int)(position % RING), STEP);
            while (slice.hasRemaining())
            {
                segment.write(slice);
            }
            position += STEP;
        }
    }

    /** The archiver's step as it is: the CRC32C of the step for the checksum index, then the write. */
    private static void writeMappedCrc(
        final FileChannel ring, final MappedByteBuffer mapped, final FileChannel segment, final long total)
        throws IOException
    {
        final CRC32C crc = new CRC32C();
        long position = 0;
        long checksums = 0;
        while (position < total)
        {
            final ByteBuffer slice = mapped.slice((int)(position % RING), STEP);
            crc.reset();
            crc.update(slice.duplicate());
            checksums += crc.getValue();
            while (slice.hasRemaining())
            {
                segment.write(slice);
            }
            position += STEP;
        }
        if (checksums == 42)
        {
            System.err.print(""); // keeps the checksums alive
        }
    }

    private static void readWrite(
        final FileChannel ring, final FileChannel segment, final long total, final ByteBuffer buffer)
        throws IOException
    {
        long position = 0;
        while (position < total)
        {
            buffer.clear();
            final long at = position % RING;
            while (buffer.hasRemaining())
            {
                ring.read(buffer, at + buffer.position());
            }
            buffer.flip();
            while (buffer.hasRemaining())
            {
                segment.write(buffer);
            }
            position += STEP;
        }
    }

    private static void report(final Map<String, List<double[]>> results, final int runs, final long total)
        throws IOException
    {
        final StringBuilder md = new StringBuilder();
        md.append("# Archive copy: ring file (/dev/shm) to segment file\n\n");
        md.append("Command: `").append(System.getProperty("shmbus.bench.command", "scripts/bench archive-copy"))
            .append("` (code ").append(System.getProperty("shmbus.bench.code", "?")).append(")\n\n");
        md.append(String.format("%d MiB per run in %d KiB steps (the archiver's step), %d runs, alternating order; " +
            "median (min-max). CPU is the copying thread's.%n%n", total >> 20, STEP >> 10, runs));
        md.append("| method | GiB/s | CPU s per GiB | throughput vs transferTo | CPU vs transferTo |\n");
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
        final Path dir = Paths.get(System.getProperty("shmbus.bench.root", "."), "bench-results");
        Files.createDirectories(dir);
        final Path file = dir.resolve("archive-copy-" +
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.write(file, md.toString().getBytes(StandardCharsets.UTF_8));
        out.println("\nreport: " + file);
    }

    private static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String value(final String[] args, final int index, final String option)
    {
        if (index >= args.length)
        {
            System.err.println("bench archive-copy: " + option + " needs a value");
            System.exit(2);
        }
        return args[index];
    }

    private ArchiveCopyBenchmark()
    {
    }
}
