package io.shmbus.broker.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code shmbus --version} and {@code shmbus <command> --version}: the project's version and Java's, exit 0. */
@Timeout(30)
class VersionTest
{
    /** The version in the parent pom, as Maven builds it into the jar. */
    private static String projectVersion() throws IOException
    {
        final Path pom = Paths.get("..", "pom.xml");
        final Matcher matcher = Pattern.compile("<artifactId>shmbus-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(pom));
        assertTrue(matcher.find(), "the parent pom names its version");
        return matcher.group(1);
    }

    @Test
    void versionAloneAndOnEveryCommandPrintsTheProjectAndJavaVersions() throws IOException
    {
        final String expected = "shmbus " + projectVersion() + "\n";
        final CliRun alone = CliRun.run("", "--version");
        assertEquals(0, alone.code, alone.stderr);
        assertTrue(alone.stdout.startsWith(expected), alone.stdout);
        final String[] lines = alone.stdout.split("\n");
        assertEquals(2, lines.length, alone.stdout);
        assertTrue(lines[1].startsWith("java " + System.getProperty("java.version") + " ("), lines[1]);
        assertEquals("", alone.stderr);

        for (final String name : Main.COMMAND_NAMES)
        {
            final CliRun run = CliRun.run("", name, "--version");
            assertEquals(0, run.code, name + ": " + run.stderr);
            assertEquals(alone.stdout, run.stdout, name);
        }
        // before the command's own options are checked, and without running it (publish would read stdin)
        final CliRun publish = CliRun.run("never read\n", "publish", "--topic", "t", "--bogus", "--version");
        assertEquals(0, publish.code, publish.stderr);
        assertEquals(alone.stdout, publish.stdout);
    }

    @Test
    void theHelpSaysSo()
    {
        assertTrue(CliRun.run("", "--help").stdout.contains("'shmbus --version'"));
    }
}
