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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first run of {@code scripts/shmbus} builds the project with Maven before it runs the command (the demo's
 * first run is most users' first sight of shmbus). Maven's console library writes a colour reset, ESC [0m, when
 * it exits, even in batch mode and to a pipe, which showed as stray {@code [0m} before the demo's output. The
 * script is run here from a copy beside a minimal project (one module, nothing to compile), so the real Maven runs
 * through the script's own build line in a few seconds; what it prints must hold no escape sequence.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmbusScriptBuildOutputTest
{
    private static final String MODULE_POM =
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>" +
        "<groupId>build.output.test</groupId><artifactId>%s</artifactId><version>1</version>" +
        "<packaging>pom</packaging>%s</project>\n";

    private Path root;

    @BeforeEach
    void minimalProject() throws IOException
    {
        final Path project = Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent();
        root = Files.createTempDirectory("shmbus-build-output-test-");
        Files.createDirectories(root.resolve("scripts"));
        final Path script = root.resolve("scripts").resolve("shmbus");
        Files.copy(project.resolve("scripts").resolve("shmbus"), script);
        assertTrue(script.toFile().setExecutable(true));
        Files.writeString(root.resolve("pom.xml"),
            String.format(MODULE_POM, "root", "<modules><module>broker</module></modules>"));
        Files.createDirectories(root.resolve("broker"));
        Files.writeString(root.resolve("broker").resolve("pom.xml"), String.format(MODULE_POM, "broker", ""));
    }

    @AfterEach
    void removeProject() throws IOException
    {
        ProcessGroup.deleteRecursively(root);
    }

    @Test
    void theFirstRunsBuildPrintsNoEscapeSequence() throws Exception
    {
        final Path output = root.resolve("output.txt");
        final ProcessBuilder builder = new ProcessBuilder(root.resolve("scripts").resolve("shmbus").toString(),
            "--help").redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().remove("MAVEN_OPTS"); // the script's own Maven options, not the caller's
        final Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(100, TimeUnit.SECONDS), "the script did not finish within 100 s");
        final String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(printed.contains("shmbus: building (mvn"), "the script built first:\n" + printed);
        assertFalse(printed.contains("\u001b"), "an escape sequence in the output:\n" +
            printed.replace("\u001b", "<ESC>"));
    }
}
