package io.shmbus.broker.net;

import io.shmbus.client.log.StoredFrames;
import io.shmbus.client.log.FrameDescriptor;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.remote.RemoteProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged storage seen from a network subscriber: the server checks the frames it sends, answers a request whose
 * start needs a damaged frame with ERROR {@code STORAGE_ERROR}, stops a stream that reaches damage with a STREAM
 * ERROR {@code STORAGE_ERROR} at the last sound frame boundary after sending every frame before it, and never closes
 * without telling. One segment of 1000 frames of 64 bytes, time stamps 0..999, a time index every 100 frames.
 */
@Timeout(60)
class NetDamagedStorageTest
{
    private static final long SEGMENT_LENGTH = 64 * 1024;
    private static final int FRAMES = 1000;
    private Path topicDir;
    private Path segment;
    private AgentDrivenServer server;

    @BeforeEach
    void setUp() throws IOException
    {
        topicDir = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-net-damage-").resolve("t");
        Files.createDirectories(topicDir);
        segment = SegmentDescriptor.file(topicDir, 0);
        StoredFrames.write(segment, 0, FRAMES, 64);
        StoredFrames.writeTimeIndex(topicDir.resolve(SegmentDescriptor.fileName(0).replace(".seg", ".tix")), 0,
            FRAMES, 64, 100);
        server = new AgentDrivenServer(topicDir, SEGMENT_LENGTH, 1024, 0, FRAMES * 64);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        server.close();
        try (Stream<Path> paths = Files.walk(topicDir.getParent()))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private AgentDrivenServer.Conversation subscribe(final int kind, final long start, final long end)
        throws IOException
    {
        return server.converse(RawSubscriber.request(kind, start, end, "t", null));
    }

    private void assertStoppedAt(final AgentDrivenServer.Conversation c, final long position, final int frames)
    {
        assertEquals(RemoteProtocol.RESPONSE_OK, c.responseType, c.toString());
        assertEquals(frames, c.frames.size(), "every sound frame before the damage: " + c);
        for (int i = 0; i < frames; i++)
        {
            assertEquals(i * 64L, c.frames.get(i)[0], c.toString());
            assertEquals(64, c.frames.get(i)[1], c.toString());
        }
        assertEquals(FrameDescriptor.TYPE_STREAM_ERROR, c.lastType, c.toString());
        assertEquals(RemoteProtocol.STORAGE_ERROR, c.lastCode, c.toString());
        assertEquals(position, c.lastPosition, c.toString());
        assertTrue(c.lastMessage.contains(segment.getFileName().toString()) &&
            c.lastMessage.contains("position " + position), c.lastMessage);
        assertTrue(c.closed, "closed after the STREAM ERROR");
        assertTrue(server.damage.get() > 0, "counted");
    }

    @Test
    void aDamagedLengthStopsTheStreamWithAStreamErrorAfterTheSoundFrames() throws IOException
    {
        StoredFrames.putInt(segment, 20 * 64, 100_000);
        assertStoppedAt(subscribe(AgentDrivenServer.KIND_EARLIEST, 0, -1), 1280, 20);
    }

    @Test
    void aLengthNearIntMaxStopsTheStreamWithAStreamError() throws IOException
    {
        StoredFrames.putInt(segment, 20 * 64, 0x7FFF_FFFF);
        assertStoppedAt(subscribe(AgentDrivenServer.KIND_EARLIEST, 0, -1), 1280, 20);
    }

    @Test
    void aBoundedReplayAcrossDamageIsNotSentBlindly() throws IOException
    {
        StoredFrames.putInt(segment, 20 * 64 + FrameDescriptor.POSITION_OFFSET, 7);
        assertStoppedAt(subscribe(AgentDrivenServer.KIND_POSITION, 0, 6400), 1280, 20);
    }

    @Test
    void aStartExactlyAtADamagedFrameIsAStorageError() throws IOException
    {
        StoredFrames.putInt(segment, 20 * 64, 0x7FFF_FFFF);
        final AgentDrivenServer.Conversation c = subscribe(AgentDrivenServer.KIND_POSITION, 1280, -1);
        assertEquals(RemoteProtocol.RESPONSE_ERROR, c.responseType, c.toString());
        assertEquals(RemoteProtocol.STORAGE_ERROR, c.errorCode, c.toString());
        assertTrue(c.message.contains("position 1280") && c.message.contains(segment.getFileName().toString()),
            c.message);
        assertTrue(c.frames.isEmpty(), c.toString());
    }

    @Test
    void earliestAtADamagedFirstFrameIsAStorageError() throws IOException
    {
        StoredFrames.putInt(segment, 0, 17);
        final AgentDrivenServer.Conversation c = subscribe(AgentDrivenServer.KIND_EARLIEST, 0, -1);
        assertEquals(RemoteProtocol.STORAGE_ERROR, c.errorCode, c.toString());
    }

    @Test
    void aTimeLookupThatMeetsDamageIsAStorageErrorNotTheArchivedPosition() throws IOException
    {
        StoredFrames.putInt(segment, 20 * 64, 0x7FFF_FFFF);
        final AgentDrivenServer.Conversation c = subscribe(AgentDrivenServer.KIND_TIME, 50, -1);
        assertEquals(RemoteProtocol.RESPONSE_ERROR, c.responseType, c.toString());
        assertEquals(RemoteProtocol.STORAGE_ERROR, c.errorCode, c.toString());
        assertTrue(c.message.contains("position 1280"), c.message);

        final AgentDrivenServer.Conversation before = subscribe(AgentDrivenServer.KIND_TIME, 10, 1280);
        assertEquals(RemoteProtocol.RESPONSE_OK, before.responseType, before.toString());
        assertEquals(640, before.startPosition, "found before the damage");
        final AgentDrivenServer.Conversation after = subscribe(AgentDrivenServer.KIND_TIME, 450, 32000);
        assertEquals(28800, after.startPosition, "walked from a time index record after the damage: " + after);
        assertEquals(FrameDescriptor.TYPE_END, after.lastType, after.toString());
    }

    @Test
    void aTruncatedSegmentStopsTheStreamWithAStreamError() throws IOException
    {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE))
        {
            channel.truncate(32000 + 16);
        }
        assertStoppedAt(subscribe(AgentDrivenServer.KIND_EARLIEST, 0, -1), 32000, 500);
    }
}
