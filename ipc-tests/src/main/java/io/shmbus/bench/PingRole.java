package io.shmbus.bench;

import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;

/**
 * Child role {@code ping}: sends one message at a time on the ping stream, stamped with {@link System#nanoTime()}
 * and a sequence number, waits for the pong process to echo it on the pong stream, and records the round trip in
 * an HdrHistogram after the warmup. Prints {@code READY} once both streams are attached and
 * {@code RESULT count=.. capped=.. p50Ns=.. ... histogram=..} at the end, the last field the whole histogram
 * (HdrHistogram's compressed encoding in Base64), so the parent can draw its percentile distribution. Stops early,
 * with {@code capped=true}, after {@code maxSeconds}, because on a busy machine a round trip can take milliseconds
 * instead of microseconds.
 */
final class PingRole
{
    private static final long CONNECT_TIMEOUT_MS = 20_000;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    static final String WINDOW_FILE_PROP_NAME = "shmbus.bench.windowFile";

    private PingRole()
    {
    }

    static void run(final ChildArgs args) throws InterruptedException
    {
        final int size = args.intValue("size");
        final long warmup = args.size("warmup");
        final long samples = args.size("samples");
        final int fragmentLimit = args.intValue("fragmentLimit");
        final long maxSeconds = args.size("maxSeconds");
        final IdleStrategy idle = BenchChild.idleStrategy(args);
        if (size < 2 * BitUtil.SIZE_OF_LONG)
        {
            throw new IllegalArgumentException("ping message size must be at least 16 bytes: " + size);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(size, BitUtil.CACHE_LINE_LENGTH), BitUtil.CACHE_LINE_LENGTH));
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final RoundTrips roundTrips = new RoundTrips(histogram);

        try (Transport transport = Transport.create(args);
            BenchSubscriber pongs = transport.subscriber("pong", args.intValue("pongStreamId"), roundTrips);
            BenchPublisher pings = transport.publisher("ping", args.intValue("pingStreamId")))
        {
            BenchChild.await("the pong process", () -> pings.isConnected() && pongs.isConnected(),
                CONNECT_TIMEOUT_MS);
            BenchChild.ready("");

            final long total = warmup + samples;
            long recordingStartNs = 0;
            long[] statAtStart = null;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            boolean capped = false;
            for (long sequence = 0; sequence < total; sequence++)
            {
                if ((sequence & 0x3FF) == 0 && System.nanoTime() - deadlineNs > 0)
                {
                    capped = true; // a busy machine: report what was recorded rather than run for ever
                    break;
                }
                if (sequence == warmup)
                {
                    statAtStart = null == System.getProperty(WINDOW_FILE_PROP_NAME) ? null : selfStat();
                    recordingStartNs = System.nanoTime();
                }
                roundTrips.recording = sequence >= warmup;
                roundTrips.expected = sequence;
                buffer.putLong(8, sequence);
                buffer.putLong(0, System.nanoTime());
                long result;
                while ((result = pings.offer(buffer, 0, size)) < 0)
                {
                    if (!pings.isRetryable(result))
                    {
                        throw new IllegalStateException("ping " + sequence + " failed: " + pings.describe(result));
                    }
                    idle.idle();
                }
                int fragments;
                while (0 == (fragments = pongs.poll(fragmentLimit)))
                {
                    if (BenchChild.stopRequested())
                    {
                        throw new IllegalStateException("stopped by the parent waiting for pong " + sequence);
                    }
                    idle.idle(fragments);
                }
            }

            writeWindow(recordingStartNs, System.nanoTime(), statAtStart);
            BenchChild.result("count=" + histogram.getTotalCount() +
                " capped=" + capped +
                " errors=" + roundTrips.errors +
                " minNs=" + histogram.getMinValue() +
                " p50Ns=" + histogram.getValueAtPercentile(50) +
                " p90Ns=" + histogram.getValueAtPercentile(90) +
                " p99Ns=" + histogram.getValueAtPercentile(99) +
                " p999Ns=" + histogram.getValueAtPercentile(99.9) +
                " p9999Ns=" + histogram.getValueAtPercentile(99.99) +
                " maxNs=" + histogram.getMaxValue() +
                " meanNs=" + Math.round(histogram.getMean()) +
                " histogram=" + encode(histogram));
        }
    }

    /**
     * With {@value #WINDOW_FILE_PROP_NAME} set (by {@code scripts/bench tail}), writes the recorded window as
     * {@code START_NS END_NS MINOR_FAULTS MAJOR_FAULTS}: the times of {@link System#nanoTime()}, CLOCK_MONOTONIC on
     * Linux, the clock of a {@code perf record -k CLOCK_MONOTONIC} trace, so the trace can be cut to the round trips
     * measured; the faults this process took in the window, from {@code /proc/self/stat}.
     */
    private static void writeWindow(final long startNs, final long endNs, final long[] statAtStart)
    {
        final String file = System.getProperty(WINDOW_FILE_PROP_NAME);
        if (null != file && 0 != startNs)
        {
            final long[] statAtEnd = selfStat();
            final String faults = null == statAtStart || null == statAtEnd ? "-1 -1" :
                (statAtEnd[2] - statAtStart[2]) + " " + (statAtEnd[3] - statAtStart[3]);
            try
            {
                java.nio.file.Files.writeString(java.nio.file.Paths.get(file), startNs + " " + endNs + " " + faults +
                    "\n");
            }
            catch (final java.io.IOException ex)
            {
                System.err.println("ping: could not write the recorded window to " + file + ": " + ex);
            }
        }
    }

    /** utime, stime, minflt, majflt of this process; null where there is no /proc. */
    private static long[] selfStat()
    {
        try
        {
            return ProcCounters.parseStat(java.nio.file.Files.readString(java.nio.file.Paths.get("/proc/self/stat")));
        }
        catch (final java.io.IOException | IllegalArgumentException ex)
        {
            return null;
        }
    }

    /** The histogram in HdrHistogram's compressed form, Base64: one word on the result line. */
    static String encode(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    /** The inverse of {@link #encode}. */
    static Histogram decode(final String text)
    {
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
        }
        catch (final DataFormatException ex)
        {
            throw new IllegalArgumentException("not an encoded histogram: " + ex.getMessage(), ex);
        }
    }

    /** Records the round trip of each echoed ping; counts echoes that are not the one awaited. */
    static final class RoundTrips implements MessageHandler
    {
        private final Histogram histogram;
        boolean recording;
        long expected;
        long errors;

        RoundTrips(final Histogram histogram)
        {
            this.histogram = histogram;
        }

        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long rttNs = System.nanoTime() - buffer.getLong(offset);
            if (buffer.getLong(offset + 8) != expected)
            {
                errors++;
            }
            if (recording)
            {
                histogram.recordValue(Math.min(rttNs, HIGHEST_TRACKABLE_NS));
            }
        }
    }
}
