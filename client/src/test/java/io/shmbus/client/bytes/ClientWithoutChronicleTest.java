package io.shmbus.client.bytes;

import io.shmbus.client.Producer;
import io.shmbus.client.TestDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Chronicle Bytes stays optional: no client class outside {@code io.shmbus.client.bytes} refers to Chronicle or to
 * that package, the core client runs in a JVM whose class path has no Chronicle jar and whose options are only the
 * Agrona export, and in a JVM without Chronicle's options the bytes package names the missing ones.
 */
@Timeout(60)
class ClientWithoutChronicleTest
{
    private static final String BYTES_PACKAGE = "io/shmbus/client/bytes/";

    @Test
    void noCoreClassReferencesChronicleOrTheBytesPackage() throws Exception
    {
        final Path classes = Paths.get(Producer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final List<String> offenders = new ArrayList<>();
        int checked = 0;
        int bytesClassesUsingChronicle = 0;
        try (Stream<Path> files = Files.walk(classes))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList()))
            {
                final String name = classes.relativize(file).toString().replace(File.separatorChar, '/');
                // class names in the constant pool are UTF-8 in internal form: a reference shows as this text
                final String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (name.startsWith(BYTES_PACKAGE))
                {
                    bytesClassesUsingChronicle += pool.contains("net/openhft") ? 1 : 0;
                    continue;
                }
                if (pool.contains("net/openhft") || pool.contains(BYTES_PACKAGE))
                {
                    offenders.add(name);
                }
                checked++;
            }
        }
        assertTrue(checked > 50, "scanned the client's classes in " + classes);
        assertTrue(bytesClassesUsingChronicle >= 2, "the scan sees a reference where there is one");
        assertEquals(List.of(), offenders);
    }

    @Test
    void theCoreClientRunsWithoutChronicleJarsOrOptions() throws Exception
    {
        final String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("openhft"))
            .collect(Collectors.joining(File.pathSeparator));
        final Path dir = TestDirs.create("bytes-core");
        try
        {
            final String out = runChild(classPath, "core", dir.toString());
            assertEquals("ok 4242", out);
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }

    @Test
    void withoutChroniclesOptionsTheClientNamesThem() throws Exception
    {
        final String out = runChild(System.getProperty("java.class.path"), "bytes");
        assertTrue(out.startsWith("shmbus structured messages (Chronicle Bytes) need the JVM options"), out);
        assertTrue(out.contains(ChronicleJvmRequirements.EXPORT_REF), out);
        assertTrue(out.contains(ChronicleJvmRequirements.EXPORT_NIO_CH), out);
        assertTrue(out.contains(ChronicleJvmRequirements.OPEN_REFLECT), out);
        assertTrue(ChronicleJvmRequirements.missing().isEmpty(), "this JVM has them all");
    }

    private static String runChild(final String classPath, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // only the option every client needs (surefire passes it as shmbus.test.exports)
        command.addAll(Arrays.asList(System.getProperty("shmbus.test.exports").split(" ")));
        command.add("-cp");
        command.add(classPath);
        command.add(ClientOnlyMain.class.getName());
        command.addAll(Arrays.asList(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                fail("child " + Arrays.toString(args) + " did not finish within 30 s");
            }
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, process.exitValue(), out);
            return out;
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
