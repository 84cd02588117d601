package io.shmbus.broker.net;

import io.shmbus.client.log.DamagedSegment;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.remote.RemoteProtocol;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A network subscriber of a segment file with one random damage ({@link DamagedSegment}), asking for the whole
 * archived range from the earliest position: the server answers OK or ERROR {@code STORAGE_ERROR}; after OK it sends
 * every frame of the intact prefix, never a frame whose header fails the check, and ends with END at the end or a
 * STREAM ERROR {@code STORAGE_ERROR} at or after the intact prefix; it always tells the subscriber before closing,
 * and never throws (its error handler would print a stack trace; the damage counter counts every stop).
 */
class NetDamageProperties
{
    private static Path root;
    private static Path topicDir;
    private static AgentDrivenServer server;

    @BeforeContainer
    static void start() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-net-damage-properties-");
        topicDir = root.resolve("t");
        Files.createDirectories(topicDir);
        server = new AgentDrivenServer(topicDir, 64 * 1024, 1024, 0, 0);
    }

    @AfterContainer
    static void stop() throws IOException
    {
        server.close();
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<DamagedSegment> segments()
    {
        return DamagedSegment.arbitrary();
    }

    @Property(tries = 3000)
    void sendsTheIntactPrefixAndAlwaysSaysWhyItStops(@ForAll("segments") final DamagedSegment c) throws IOException
    {
        Files.write(SegmentDescriptor.file(topicDir, 0), c.damaged);
        server.view.update(0, c.end());
        final long damageBefore = server.damage.get();
        final AgentDrivenServer.Conversation conversation = server.converse(RawSubscriber.request(
            AgentDrivenServer.KIND_EARLIEST, 0, c.end(), "t", null));
        final String context = conversation + "; " + c;
        assertTrue(conversation.closed, "the server closes after its last word: " + context);
        if (RemoteProtocol.RESPONSE_ERROR == conversation.responseType)
        {
            assertEquals(RemoteProtocol.STORAGE_ERROR, conversation.errorCode, context);
            assertEquals(0, c.intactEnd(), "refused though the first frame is intact: " + context);
            assertTrue(server.damage.get() > damageBefore, "counted: " + context);
            return;
        }
        assertEquals(RemoteProtocol.RESPONSE_OK, conversation.responseType, context);
        assertTrue(conversation.frames.size() >= c.intactFrames(), "the intact prefix is sent: " + context);
        long expected = 0;
        for (int i = 0; i < conversation.frames.size(); i++)
        {
            final long[] frame = conversation.frames.get(i);
            assertEquals(expected, frame[0], "frames in order, each at its own position: " + context);
            assertTrue(frame[1] >= FrameDescriptor.HEADER_LENGTH && frame[1] <= 1024, "a checked header: " + context);
            if (i < c.intactFrames())
            {
                assertEquals(c.frameLength(i), frame[1], context);
            }
            expected += FrameDescriptor.alignedLength((int)frame[1]);
        }
        if (FrameDescriptor.TYPE_END == conversation.lastType)
        {
            assertEquals(c.end(), conversation.lastPosition, context);
        }
        else
        {
            assertEquals(FrameDescriptor.TYPE_STREAM_ERROR, conversation.lastType, "never a silent close: " + context);
            assertEquals(RemoteProtocol.STORAGE_ERROR, conversation.lastCode, context);
            assertEquals(expected, conversation.lastPosition, "stops after the last frame sent: " + context);
            assertTrue(conversation.lastPosition >= c.intactEnd(), context);
            assertTrue(server.damage.get() > damageBefore, "counted: " + context);
        }
        if (c.firstChangedByte() < 0)
        {
            assertEquals(FrameDescriptor.TYPE_END, conversation.lastType, context);
        }
    }
}
