package io.shmbus.ipc;

import io.shmbus.client.log.SegmentDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two broker daemons on this host for mirror tests: a source that mirrors {@link #topic} out over loopback UDP and
 * a mirror that receives it, each with its own shared-memory and data directory under the test's directory. The
 * source's network server port is chosen once, so a restarted source is found at the same address; both use the
 * same ring capacity and segment length, so their segment files must be byte for byte the same.
 */
final class MirrorPair
{
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    final ChildProcesses children;
    final String topic;
    final String capacity;
    final String segmentLength;
    final int udpPort;
    final int sourceNetPort;
    final Path sourceDir;
    final Path sourceData;
    final Path mirrorDir;
    final Path mirrorData;
    private final List<String> sourceWrapper;
    private final List<String> mirrorWrapper;
    private final String sourceHost;
    private final String mirrorHost;
    JavaProcess source;
    JavaProcess mirror;
    private String channel;

    /** Both brokers on loopback. */
    MirrorPair(final ChildProcesses children, final String topic, final String capacity, final String segmentLength)
    {
        this(children, topic, capacity, segmentLength, List.of(), "127.0.0.1", List.of(), "127.0.0.1");
    }

    /**
     * @param sourceWrapper a command the source broker runs under (e.g. {@code ip netns exec NS}), or empty.
     * @param sourceHost    the address the source's network server binds and the mirror connects to.
     * @param mirrorHost    the address the mirror receives the UDP stream on.
     */
    MirrorPair(
        final ChildProcesses children,
        final String topic,
        final String capacity,
        final String segmentLength,
        final List<String> sourceWrapper,
        final String sourceHost,
        final List<String> mirrorWrapper,
        final String mirrorHost)
    {
        this.children = children;
        this.topic = topic;
        this.capacity = capacity;
        this.segmentLength = segmentLength;
        this.sourceWrapper = sourceWrapper;
        this.sourceHost = sourceHost;
        this.mirrorWrapper = mirrorWrapper;
        this.mirrorHost = mirrorHost;
        this.udpPort = freeUdpPort();
        this.sourceNetPort = freeTcpPort();
        final Path root = children.shmDirectory();
        sourceDir = root.resolve("source-bus");
        sourceData = root.resolve("source-data");
        mirrorDir = root.resolve("mirror-bus");
        mirrorData = root.resolve("mirror-data");
    }

    /** The Aeron channel of the mirrored topic: unicast to the mirror's address, unless {@link #multicast} set one. */
    String channel()
    {
        return null != channel ? channel : "aeron:udp?endpoint=" + mirrorHost + ":" + udpPort;
    }

    /** Mirrors over multicast instead: {@code group} on the interfaces of {@code subnet} (both brokers' URI). */
    void multicast(final String group, final String subnet)
    {
        channel = "aeron:udp?endpoint=" + group + ":" + udpPort + "|interface=" + subnet;
    }

    JavaProcess startSource(final String name)
    {
        final Path config = BrokerDaemon.configFile(children.shmDirectory().resolve("source.conf"),
            "[topic " + topic + "]", "capacity = " + capacity, "mirror.channel = " + channel());
        source = BrokerDaemon.startWrapped(children, name, sourceWrapper, sourceDir, "--config", config.toString(),
            "--data-dir", sourceData.toString(), "--segment-length", segmentLength, "--net-port",
            Integer.toString(sourceNetPort), "--bind", sourceHost);
        return source;
    }

    JavaProcess startMirror(final String name)
    {
        final Path config = BrokerDaemon.configFile(children.shmDirectory().resolve("mirror.conf"),
            "[mirror " + topic + "]", "channel = " + channel(), "source = " + sourceHost + ":" + sourceNetPort,
            "capacity = " + capacity);
        mirror = BrokerDaemon.startWrapped(children, name, mirrorWrapper, mirrorDir, "--config", config.toString(),
            "--data-dir", mirrorData.toString(), "--segment-length", segmentLength);
        return mirror;
    }

    long mirrorCounter(final String what)
    {
        return BrokerDaemon.counter(mirrorDir, "mirror " + topic + ": " + what);
    }

    /** Waits until the mirror has written and archived everything up to {@code position}. */
    void awaitMirrored(final long position, final Duration timeout)
    {
        BrokerDaemon.awaitCounter(mirror, mirrorDir, "topic " + topic + ": archived position", v -> v >= position,
            ">= " + position, timeout);
        assertEquals(0, mirrorCounter("gaps"), "the mirror never wrote a frame out of place");
    }

    /** Waits until the source has archived everything up to {@code position}. */
    void awaitArchivedAtSource(final long position, final Duration timeout)
    {
        BrokerDaemon.awaitCounter(source, sourceDir, "topic " + topic + ": archived position", v -> v >= position,
            ">= " + position, timeout);
    }

    /**
     * The mirror's segment files are the source's, byte for byte (what {@code cmp} checks), for every segment the
     * source holds.
     *
     * @return the number of segment files compared.
     */
    int assertSegmentsEqual()
    {
        final List<Path> sourceSegments = segments(sourceData.resolve(topic));
        assertFalse(sourceSegments.isEmpty(), "the source archived nothing");
        for (final Path segment : sourceSegments)
        {
            final Path copy = mirrorData.resolve(topic).resolve(segment.getFileName());
            assertTrue(Files.exists(copy), "the mirror has no " + copy.getFileName());
            try
            {
                final long mismatch = Files.mismatch(segment, copy);
                assertEquals(-1, mismatch, () -> segment.getFileName() + " differs at byte " + mismatch);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return sourceSegments.size();
    }

    private static List<Path> segments(final Path topicDir)
    {
        try (Stream<Path> files = Files.list(topicDir))
        {
            final List<Path> segments = new ArrayList<>();
            files.filter(p -> p.getFileName().toString().endsWith(SegmentDescriptor.SUFFIX)).sorted()
                .forEach(segments::add);
            return segments;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freeTcpPort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
