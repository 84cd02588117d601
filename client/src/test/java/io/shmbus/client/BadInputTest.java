package io.shmbus.client;

import io.shmbus.client.log.LogDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every bad argument or bad file gets a specific exception with a message that says what to do.
 */
@Timeout(60)
class BadInputTest
{
    private Path dir;

    @BeforeEach
    void setUp()
    {
        dir = TestDirs.create("bad");
    }

    @AfterEach
    void tearDown()
    {
        TestDirs.delete(dir);
    }

    private Topic.Context ctx(final String topic)
    {
        return new Topic.Context().dir(dir.resolve("shm")).topic(topic).capacity(65536);
    }

    @Test
    void topicNames()
    {
        for (final String bad : new String[]{"", "a/b", "..", "a..b", "x y", "tab\t", "ü", "a".repeat(129), "../etc"})
        {
            final InvalidTopicNameException ex =
                assertThrows(InvalidTopicNameException.class, () -> TopicNames.validate(bad), bad);
            assertTrue(ex.getMessage().contains("topic name"), ex.getMessage());
        }
        assertThrows(InvalidTopicNameException.class, () -> TopicNames.validate(null));
        for (final String good : new String[]{"a", "orders.v2", "A-Z_0-9", ".hidden", "a".repeat(128)})
        {
            assertEquals(good, TopicNames.validate(good));
        }
        assertThrows(InvalidTopicNameException.class, () -> Topic.open(ctx("no/slash")));
    }

    @Test
    void capacities()
    {
        for (final long bad : new long[]{0, 1000, 65535, 100_000, 32 * 1024, 1L << 31})
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class,
                () -> Topic.open(ctx("t").capacity(bad)));
            assertTrue(ex.getMessage().contains("power of two"), ex.getMessage());
        }
        final ConfigurationException tooLong = assertThrows(ConfigurationException.class,
            () -> Topic.open(ctx("t").maxMessageLength(65536)));
        assertTrue(tooLong.getMessage().contains("max message length"), tooLong.getMessage());
        assertFalse(Files.exists(dir.resolve("shm").resolve("t.log")), "nothing created for bad settings");
    }

    @Test
    void sizesAndStartPositions()
    {
        assertEquals(65536, Sizes.parse("x", "64k"));
        assertEquals(4L << 20, Sizes.parse("x", "4m"));
        assertEquals(1L << 30, Sizes.parse("x", "1g"));
        assertEquals(123, Sizes.parse("x", "123"));
        assertThrows(ConfigurationException.class, () -> Sizes.parse("capacity", "lots"));
        assertThrows(ConfigurationException.class, () -> Sizes.parse("capacity", "-4k"));

        assertTrue(StartPosition.parse("earliest").isEarliest());
        assertTrue(StartPosition.parse("LATEST").isLatest());
        assertEquals(4096, StartPosition.parse("4096").position());
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> StartPosition.parse("yesterday"));
        assertTrue(ex.getMessage().contains("'earliest', 'latest'"), ex.getMessage());
        assertThrows(ConfigurationException.class, () -> StartPosition.parse("-5"));
    }

    @Test
    void directoryAndFilesArePrivate() throws IOException
    {
        try (Topic topic = Topic.open(ctx("private")))
        {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("shm"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(topic.file())));
        }
        try (Topic topic = Topic.open(new Topic.Context().dir(dir.resolve("shared")).topic("g").capacity(65536)
            .filePermissions("rw-rw----")))
        {
            assertEquals("rwxrwx---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("shared"))));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(topic.file())));
        }
        assertThrows(ConfigurationException.class, () -> Topic.open(ctx("p").filePermissions("bogus")));
    }

    @Test
    void notEnoughSpaceIsReportedAtCreation() throws IOException
    {
        Files.createDirectories(dir);
        final long free = Files.getFileStore(dir).getUsableSpace();
        final Path file = dir.resolve("huge.log");
        final InsufficientStorageException ex = assertThrows(InsufficientStorageException.class,
            () -> ShmDirectory.createPreallocated(file, free + (1L << 30), ShmDirectory.PRIVATE_FILE));
        final String msg = ex.getMessage();
        assertTrue(msg.contains(dir.toString()), msg);
        assertTrue(msg.contains("need " + (free + (1L << 30)) + " bytes"), msg);
        assertTrue(msg.contains("free"), msg);
        assertTrue(msg.contains("--shm-size"), msg);
        assertFalse(Files.exists(file));
    }

    @Test
    void logOfAnotherVersionIsRefusedByName() throws IOException
    {
        final Path file;
        try (Topic topic = Topic.open(ctx("old")))
        {
            file = topic.file();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(LogDescriptor.VERSION_OFFSET);
            raf.write(new byte[]{99, 0, 0, 0});
        }
        final LogVersionMismatchException ex =
            assertThrows(LogVersionMismatchException.class, () -> Topic.open(ctx("old")));
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("version 99"), ex.getMessage());

        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(LogDescriptor.MAGIC_OFFSET);
            raf.write(new byte[]{1, 2, 3, 4});
        }
        final LogVersionMismatchException notOurs =
            assertThrows(LogVersionMismatchException.class, () -> Topic.open(ctx("old")));
        assertTrue(notOurs.getMessage().contains("not a shmbus topic log"), notOurs.getMessage());
    }

    @Test
    void truncatedLogIsReported() throws IOException
    {
        final Path file;
        try (Topic topic = Topic.open(ctx("cut")))
        {
            file = topic.file();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(8192);
        }
        final ShmbusException ex = assertThrows(ShmbusException.class, () -> Topic.open(ctx("cut")));
        assertTrue(ex.getMessage().contains("damaged"), ex.getMessage());
    }

    @Test
    void existingLogKeepsItsSettings()
    {
        try (Topic first = Topic.open(ctx("keep"));
            Topic second = Topic.open(ctx("keep").capacity(1 << 20)))
        {
            assertEquals(65536, second.capacity());
            assertEquals(first.maxMessageLength(), second.maxMessageLength());
        }
    }

    @Test
    void directoryThatIsAFileIsReported() throws IOException
    {
        Files.createDirectories(dir);
        final Path notDir = dir.resolve("file");
        Files.writeString(notDir, "x");
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Topic.open(new Topic.Context().dir(notDir).topic("t").capacity(65536)));
        assertTrue(ex.getMessage().contains(notDir.toString()), ex.getMessage());
    }

    @Test
    void missingJvmExportIsNamed() throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            MissingExportsMain.class.getName(), dir.toString())
            .redirectErrorStream(true)
            .start();
        try
        {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "child JVM did not exit");
            final String output = new String(process.getInputStream().readAllBytes());
            assertTrue(output.contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED"), output);
            assertFalse(output.contains("IllegalAccessError"), output);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void fileSizeLimitIsReportedAtCreationNotAsACrashLater() throws Exception
    {
        // a write that fails part way through pre-allocation (here: the file size limit, EFBIG) must leave no
        // file behind and name the cause, as a full tmpfs (ENOSPC) does
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder("bash", "-c", "ulimit -f 512; exec \"$0\" \"$@\"", java,
            JvmRequirements.ADD_EXPORTS.split(" ")[0], JvmRequirements.ADD_EXPORTS.split(" ")[1],
            "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), CreateTopicMain.class.getName(),
            dir.toString())
            .redirectErrorStream(true)
            .start();
        try
        {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "child JVM did not exit");
            final String output = new String(process.getInputStream().readAllBytes());
            assertTrue(output.contains("InsufficientStorageException"), output);
            assertTrue(output.contains("ulimit -f"), output);
            assertFalse(Files.exists(dir.resolve("efbig").resolve("big.log")), "no partial log left behind");
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** Creates a 1 MiB topic and prints the exception's type and message. */
    public static final class CreateTopicMain
    {
        public static void main(final String[] args)
        {
            try (Topic topic = Topic.open(new Topic.Context().dir(Path.of(args[0], "efbig")).topic("big")
                .capacity(1 << 20)))
            {
                System.out.println("created " + topic.file());
            }
            catch (final ShmbusException ex)
            {
                System.out.println(ex.getClass().getSimpleName() + ": " + ex.getMessage());
            }
        }
    }

    /** Runs without the JVM option to show the message a user gets. */
    public static final class MissingExportsMain
    {
        public static void main(final String[] args)
        {
            try
            {
                Topic.open(new Topic.Context().dir(Path.of(args[0], "noexports")).topic("t").capacity(65536));
                System.out.println("opened without the export?");
            }
            catch (final ShmbusException ex)
            {
                System.out.println(ex.getMessage());
            }
        }
    }
}
