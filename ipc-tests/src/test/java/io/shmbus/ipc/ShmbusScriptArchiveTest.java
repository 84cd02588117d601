package io.shmbus.ipc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/shmbus} and the class-data archive of a short command: whatever state the archive is in (missing,
 * made from older jars, cut short, overwritten, impossible to make, made by several first runs at once) the command
 * runs and prints exactly what it prints without one, and a later run uses a sound archive again. Each test runs the
 * real script from a copy of the project (the script and the built jars) in a temporary directory, so the archives
 * of the working tree are not touched. {@code shmbus topics} of an empty directory is the command: it needs no
 * broker.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ShmbusScriptArchiveTest
{
    private static final String JAR = "shmbus-broker-0.1.0-SNAPSHOT.jar";
    private static final String ARCHIVE_USED = "io.shmbus.broker.cli.Main source: shared objects file (top)";

    private Path root;
    private Path shm;
    private Path archive;
    private Path log;
    private String expectedOutput;

    @BeforeEach
    void copyProject() throws IOException
    {
        final Path project = Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent();
        final Path builtJar = project.resolve("broker").resolve("target").resolve(JAR);
        assertTrue(Files.isRegularFile(builtJar), "no " + builtJar + ": run through the reactor (mvn -pl ipc-tests " +
            "-am verify), which packages the broker first");
        root = Files.createTempDirectory("shmbus-script-test-");
        Files.createDirectories(root.resolve("scripts"));
        final Path script = root.resolve("scripts").resolve("shmbus");
        Files.copy(project.resolve("scripts").resolve("shmbus"), script);
        assertTrue(script.toFile().setExecutable(true));
        final Path target = Files.createDirectories(root.resolve("broker").resolve("target"));
        Files.copy(builtJar, target.resolve(JAR), StandardCopyOption.COPY_ATTRIBUTES);
        final Path lib = Files.createDirectories(target.resolve("lib"));
        try (Stream<Path> jars = Files.list(project.resolve("broker").resolve("target").resolve("lib")))
        {
            for (final Path jar : (Iterable<Path>)jars::iterator)
            {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        shm = Files.createDirectories(root.resolve("shm"));
        archive = target.resolve("cds").resolve("topics.jsa");
        log = target.resolve("cds").resolve("topics.log");
        expectedOutput = run(Map.of("SHMBUS_CDS", "off")).stdout;
        assertTrue(expectedOutput.startsWith("TOPIC"), expectedOutput);
        assertFalse(Files.exists(archive), "SHMBUS_CDS=off makes no archive");
    }

    @AfterEach
    void removeCopy() throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(file -> file.toFile().delete());
        }
    }

    @Test
    void theFirstRunMakesTheArchiveAndTheNextUsesIt() throws IOException
    {
        assertEquals(expectedOutput, run(Map.of()).stdout);
        assertTrue(Files.size(archive) > 0, "made by the first run");
        assertTrue(isUsed(), "used by the next");
        assertEquals(0, Files.size(log), "nothing to report: " + Files.readString(log));
    }

    @Test
    void anArchiveOfOlderJarsIsMadeAgain() throws IOException
    {
        run(Map.of());
        final FileTime made = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        Files.setLastModifiedTime(archive, made); // made an hour ago, before the jar was built again now
        Files.setLastModifiedTime(root.resolve("broker").resolve("target").resolve(JAR),
            FileTime.fromMillis(System.currentTimeMillis()));

        assertEquals(expectedOutput, run(Map.of()).stdout);
        assertTrue(Files.getLastModifiedTime(archive).compareTo(made) > 0, "made again");
        assertTrue(isUsed());
    }

    @Test
    void anArchiveCutShortIsNeverGivenToTheJvm() throws IOException
    {
        run(Map.of());
        final byte[] whole = Files.readAllBytes(archive);
        archive.toFile().setWritable(true);
        Files.write(archive, Arrays.copyOf(whole, whole.length / 2)); // a JVM mapping this one would crash

        assertEquals(expectedOutput, run(Map.of()).stdout);
        assertEquals(Files.readString(root.resolve("broker/target/cds/topics.jsa.made")).trim(),
            String.valueOf(Files.size(archive)), "made again, whole");
        assertTrue(isUsed());
    }

    @Test
    void anArchiveDamagedInsideIsRefusedThenMadeAgain() throws IOException
    {
        run(Map.of());
        final byte[] damaged = Files.readAllBytes(archive);
        final byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        System.arraycopy(noise, 0, damaged, damaged.length / 2, noise.length); // same length, same header
        archive.toFile().setWritable(true);
        Files.write(archive, damaged);

        assertEquals(expectedOutput, run(Map.of()).stdout, "the JVM refuses it and starts without it");
        assertTrue(Files.size(log) > 0, "the refusal is logged");
        assertEquals(expectedOutput, run(Map.of()).stdout, "the next run makes it again");
        assertFalse(Arrays.equals(damaged, Files.readAllBytes(archive)));
        assertTrue(isUsed());
    }

    @Test
    void anArchiveOverwrittenWithNoiseIsMadeAgain() throws IOException
    {
        run(Map.of());
        final byte[] noise = new byte[(int)Files.size(archive)];
        new Random(42).nextBytes(noise);
        archive.toFile().setWritable(true);
        Files.write(archive, noise); // same length; a JVM would start without any archive, saying nothing

        assertEquals(expectedOutput, run(Map.of()).stdout);
        assertFalse(Arrays.equals(noise, Files.readAllBytes(archive)), "made again");
        assertTrue(isUsed());
    }

    @Test
    void anArchiveThatCannotBeMadeStopsNothing() throws IOException
    {
        Files.writeString(archive.getParent(), "not a directory"); // nowhere to write an archive

        assertEquals(expectedOutput, run(Map.of()).stdout);
        assertEquals(expectedOutput, run(Map.of()).stdout);
        assertFalse(Files.isDirectory(archive.getParent()));
    }

    @Test
    void concurrentFirstRunsLeaveOneSoundArchive() throws Exception
    {
        final List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            processes.add(start(Map.of()));
        }
        for (final Process process : processes)
        {
            final Result result = finish(process);
            assertEquals(0, result.code, result.stderr);
            assertEquals(expectedOutput, result.stdout);
        }
        try (Stream<Path> files = Files.list(archive.getParent()))
        {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList(), "no temporary left");
        }
        assertTrue(isUsed());
        assertEquals(0, Files.size(log), Files.readString(log));
    }

    /** True when the JVM of a run loaded the command line's entry point from the archive. */
    private boolean isUsed()
    {
        final Result result = run(Map.of("SHMBUS_JAVA_OPTS", "-Xlog:class+load=info"));
        return result.stdout.contains(ARCHIVE_USED);
    }

    private Result run(final Map<String, String> environment)
    {
        final Result result = finish(start(environment));
        assertEquals(0, result.code, result.stderr);
        assertFalse(result.stderr.contains("warning"), result.stderr);
        return result;
    }

    private Process start(final Map<String, String> environment)
    {
        final ProcessBuilder builder = new ProcessBuilder(root.resolve("scripts").resolve("shmbus").toString(),
            "topics", "--dir", shm.toString());
        builder.environment().remove("SHMBUS_JAVA_OPTS");
        builder.environment().remove("SHMBUS_CDS");
        builder.environment().putAll(environment);
        try
        {
            final Process process = builder.start();
            process.getOutputStream().close();
            return process;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot start " + builder.command(), ex);
        }
    }

    private static Result finish(final Process process)
    {
        try
        {
            final StringBuilder err = new StringBuilder();
            final Thread errReader = new Thread(() ->
            {
                try
                {
                    err.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                catch (final IOException ignore)
                {
                    // the process ended
                }
            });
            errReader.start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("scripts/shmbus topics did not end within 60 s");
            }
            errReader.join();
            return new Result(process.exitValue(), out, err.toString());
        }
        catch (final IOException | InterruptedException ex)
        {
            process.destroyForcibly();
            throw new AssertionError(ex);
        }
    }

    private record Result(int code, String stdout, String stderr)
    {
    }
}
