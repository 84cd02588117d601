package io.shmbus.broker.readme;

import io.shmbus.broker.Broker;
import io.shmbus.broker.BrokerContext;
import io.shmbus.client.JvmRequirements;
import io.shmbus.client.ShmDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's section "Depending on the client from Maven" stays true: its example is {@link Hello} (compiled
 * here, so it matches today's API, and run against a broker), its coordinates are the client's pom's, and its
 * JVM flag is the one the client checks for.
 */
@Timeout(60)
class ReadmeClientExampleTest
{
    private static final Path PROJECT = Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private static String section() throws IOException
    {
        final String readme = Files.readString(PROJECT.resolve("README.md"));
        final int start = readme.indexOf("## Depending on the client from Maven");
        assertTrue(start >= 0, "README.md has no section 'Depending on the client from Maven'");
        final int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theExampleIsHelloJavaWordForWord() throws IOException
    {
        final Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section());
        assertTrue(block.find(), "no java block in the section");
        final String source = Files.readString(PROJECT.resolve(
            "broker/src/test/java/io/shmbus/broker/readme/Hello.java"));
        final String withoutPackage = source.substring(source.indexOf("import "));
        assertEquals(withoutPackage, block.group(1));
        for (final String line : withoutPackage.split("\n"))
        {
            if (line.startsWith("import "))
            {
                assertTrue(line.startsWith("import io.shmbus.client.") || line.startsWith("import org.agrona.") ||
                    line.startsWith("import java."), "the example needs the client and Agrona only: " + line);
            }
        }
    }

    @Test
    void theCoordinatesAndTheFlagAreTheProjects() throws IOException
    {
        final String section = section();
        final String rootPom = Files.readString(PROJECT.resolve("pom.xml"));
        final String clientPom = Files.readString(PROJECT.resolve("client/pom.xml"));
        final String version = tag(rootPom, "version");
        assertTrue(section.contains("<groupId>" + tag(rootPom, "groupId") + "</groupId>"), section);
        assertTrue(section.contains("<artifactId>" + tag(clientPom.substring(clientPom.indexOf("</parent>")),
            "artifactId") + "</artifactId>"), section);
        assertTrue(section.contains("<version>" + version + "</version>"), section);
        assertTrue(section.contains(JvmRequirements.ADD_EXPORTS), section);
    }

    @Test
    void theExampleRunsAgainstABroker() throws IOException
    {
        final Path dir = Files.createTempDirectory(Paths.get("/dev/shm"), "cli-readme-");
        final PrintStream stdout = System.out;
        final String dirProperty = System.getProperty(ShmDirectory.DIR_PROP_NAME);
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Broker ignored = Broker.launch(new BrokerContext().dir(dir.resolve("shm"))
            .log(new PrintStream(new ByteArrayOutputStream(), true))))
        {
            System.setProperty(ShmDirectory.DIR_PROP_NAME, dir.resolve("shm").toString());
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Hello.main(new String[0]);
        }
        finally
        {
            System.setOut(stdout);
            if (null == dirProperty)
            {
                System.clearProperty(ShmDirectory.DIR_PROP_NAME);
            }
            else
            {
                System.setProperty(ShmDirectory.DIR_PROP_NAME, dirProperty);
            }
            try (Stream<Path> paths = Files.walk(dir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertEquals("hello\n", printed.toString(StandardCharsets.UTF_8));
    }

    /** The first {@code <tag>} after the project's own {@code <modelVersion>} or {@code </parent>}. */
    private static String tag(final String pom, final String name)
    {
        final Matcher matcher = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(pom);
        assertTrue(matcher.find(), name);
        return matcher.group(1);
    }
}
