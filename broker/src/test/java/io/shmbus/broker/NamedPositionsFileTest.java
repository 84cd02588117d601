package io.shmbus.broker;

import io.shmbus.client.ShmbusException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The file of a topic's named consumer positions: its exact bytes, a whole replacement with no temporary file
 * left, private permissions, and a clear error naming the file and line for one that is not a positions file.
 */
class NamedPositionsFileTest
{
    private Path root;

    @BeforeEach
    void setUp() throws IOException
    {
        root = Files.createTempDirectory(Paths.get("/dev/shm"), "named-positions-");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void writesTheDocumentedBytesAndReadsThemBack() throws IOException
    {
        final Path topicDir = root.resolve("orders");
        final Map<String, Long> positions = new LinkedHashMap<>();
        positions.put("audit", 4096L);
        positions.put("billing", 81920L);
        NamedPositionsFile.write(topicDir, positions, true);
        final Path file = topicDir.resolve("named-consumers");
        assertEquals("# shmbus named consumer positions v1\naudit 4096\nbilling 81920\n",
            new String(Files.readAllBytes(file), StandardCharsets.US_ASCII));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(positions, NamedPositionsFile.read(topicDir));

        positions.put("billing", 90112L);
        NamedPositionsFile.write(topicDir, positions, false);
        assertEquals(positions, NamedPositionsFile.read(topicDir));
        try (Stream<Path> files = Files.list(topicDir))
        {
            assertEquals(1, files.count(), "the temporary file was renamed over the old one");
        }
    }

    @Test
    void aMissingFileIsNoPositionsAndADamagedOneAClearError() throws IOException
    {
        final Path topicDir = root.resolve("orders");
        assertTrue(NamedPositionsFile.read(topicDir).isEmpty());
        Files.createDirectories(topicDir);
        Files.writeString(topicDir.resolve("named-consumers"), "# shmbus named consumer positions v1\nbilling x\n");
        final ShmbusException badLine = assertThrows(ShmbusException.class, () -> NamedPositionsFile.read(topicDir));
        assertTrue(badLine.getMessage().contains("named-consumers line 2"), badLine.getMessage());
        Files.writeString(topicDir.resolve("named-consumers"), "something else\n");
        final ShmbusException header = assertThrows(ShmbusException.class, () -> NamedPositionsFile.read(topicDir));
        assertTrue(header.getMessage().contains("is not a named consumer positions file"), header.getMessage());
    }
}
