package io.shmbus.ipc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/shmbus --version} and {@code scripts/shmbus <command> --version} as a user runs them: the real
 * script and the built jar (so the version comes from the jar's own resource), exit 0.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmbusScriptVersionTest
{
    @Test
    void theScriptPrintsTheProjectVersionAndJavasOnEveryCommand() throws Exception
    {
        final Path project = Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent();
        final Matcher version = Pattern.compile("<artifactId>shmbus-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(project.resolve("pom.xml")));
        assertTrue(version.find());
        final String expected = "shmbus " + version.group(1) + "\njava " + System.getProperty("java.version") + " (";
        for (final List<String> args : List.of(List.of("--version"), List.of("broker", "--version"),
            List.of("errors", "--version"), List.of("subscribe", "--topic", "t", "--version")))
        {
            final String out = run(project, args);
            assertTrue(out.startsWith(expected), args + ": " + out);
        }
    }

    private static String run(final Path project, final List<String> args) throws IOException, InterruptedException
    {
        final List<String> command = new java.util.ArrayList<>(List.of(project.resolve("scripts/shmbus").toString()));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SHMBUS_CDS", "off");
        final Process process = builder.start();
        try
        {
            process.getOutputStream().close();
            final byte[] output = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "scripts/shmbus " + args + " did not exit");
            final String text = new String(output, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), args + ": " + text);
            return text;
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
