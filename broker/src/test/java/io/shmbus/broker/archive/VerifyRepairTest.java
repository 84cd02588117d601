package io.shmbus.broker.archive;

import io.shmbus.broker.cli.Main;
import io.shmbus.client.log.SegmentDescriptor;
import io.shmbus.client.log.StoredFrames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code shmbus verify} checks the time index beside each segment (every record names a message start and its time
 * stamp, below the end of the data), and {@code verify --repair} rebuilds a wrong one from the frames without
 * touching a frame, says what it did, and lookups by time work again.
 */
class VerifyRepairTest
{
    private Path root;
    private Path topicDir;
    private Path segment;
    private Path index;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "shmbus-verify-repair-");
        topicDir = root.resolve("t");
        Files.createDirectories(topicDir);
        segment = SegmentDescriptor.file(topicDir, 0);
        index = TimeIndexWriter.file(topicDir, 0);
        StoredFrames.write(segment, 0, 1000, 64);
        StoredFrames.writeTimeIndex(index, 0, 1000, 64, 100);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String verify(final int expectedExit, final String... extra)
    {
        final String[] args = new String[2 + extra.length];
        args[0] = "verify";
        args[1] = topicDir.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true),
            new PrintStream(out, true));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, code, text);
        return text;
    }

    private void appendRecord(final long timestamp, final long position) throws IOException
    {
        final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        record.putLong(timestamp).putLong(position).flip();
        Files.write(index, record.array(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void aSoundIndexPasses()
    {
        assertTrue(verify(0).contains("OK"));
    }

    @Test
    void recordsPastTheDataOrInsideAFrameAreReportedAndRepairRebuildsTheIndexOnly() throws IOException
    {
        Files.delete(index);
        appendRecord(0, 0);
        appendRecord(5, 64 * 5 + 32); // inside a frame
        for (int i = 100; i < 1000; i += 100)
        {
            appendRecord(i, i * 64L);
        }
        appendRecord(2000, 128_000); // past the end of the data, as the old torn-tail cut left them
        final byte[] frames = Files.readAllBytes(segment);

        final String report = verify(1);
        assertTrue(report.contains("INDEX " + segment.getFileName() + ": 1 time index record(s) point past the end"),
            report);
        assertTrue(report.contains("1 time index record(s) name no message start or the wrong time"), report);
        assertTrue(report.contains("--repair"), report);
        assertEquals(400 * 64, ArchiveFiles.positionAtTime(topicDir, 1 << 20, 0, 64000, 400),
            "a wrong record only costs a longer walk");

        final String repaired = verify(0, "--repair");
        assertTrue(repaired.contains("REPAIRED " + segment.getFileName() + ": rebuilt the time index (1 records)"),
            repaired);
        assertArrayEquals(frames, Files.readAllBytes(segment), "frames are never touched");
        assertTrue(verify(0).contains("OK"), "sound after the repair");
        assertEquals(16, Files.size(index), "one record: the segment's first message, 64000 bytes < 1 MiB");
        assertEquals(700 * 64, ArchiveFiles.positionAtTime(topicDir, 1 << 20, 0, 64000, 700));
    }

    @Test
    void aMissingIndexIsReportedAndRebuilt() throws IOException
    {
        Files.delete(index);
        assertTrue(verify(1).contains("no time index"));
        assertTrue(verify(0, "--repair").contains("rebuilt the time index"));
        assertTrue(Files.exists(index));
        assertTrue(verify(0).contains("OK"));
    }
}
