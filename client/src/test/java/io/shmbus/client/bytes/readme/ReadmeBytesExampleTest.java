package io.shmbus.client.bytes.readme;

import io.shmbus.client.StartPosition;
import io.shmbus.client.TestDirs;
import io.shmbus.client.bytes.ChronicleJvmRequirements;
import io.shmbus.client.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's section "Structured messages with Chronicle Bytes" stays true: its example is {@link Quote} word for
 * word (compiled here, so it matches today's API, and run on a topic), its Chronicle Bytes version is the one the
 * project builds with, and its JVM options are the ones {@link ChronicleJvmRequirements} checks for.
 */
@Timeout(60)
class ReadmeBytesExampleTest
{
    private static final Path PROJECT = Paths.get(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private static String section() throws IOException
    {
        final String readme = Files.readString(PROJECT.resolve("README.md"));
        final int start = readme.indexOf("## Structured messages with Chronicle Bytes");
        assertTrue(start >= 0, "README.md has no section 'Structured messages with Chronicle Bytes'");
        final int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theExampleIsQuoteJavaWordForWord() throws IOException
    {
        final Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section());
        assertTrue(block.find(), "no java block in the section");
        final String source = Files.readString(PROJECT.resolve(
            "client/src/test/java/io/shmbus/client/bytes/readme/Quote.java"));
        assertEquals(source.substring(source.indexOf("import ")), block.group(1));
    }

    @Test
    void theVersionAndTheOptionsAreTheProjects() throws IOException
    {
        final String section = section();
        final Matcher version = Pattern.compile("<chronicle.bytes.version>([^<]+)</chronicle.bytes.version>")
            .matcher(Files.readString(PROJECT.resolve("pom.xml")));
        assertTrue(version.find());
        assertTrue(section.contains("<version>" + version.group(1) + "</version>"), section);
        assertTrue(section.contains("<artifactId>chronicle-bytes</artifactId>"), section);
        assertTrue(section.contains(ChronicleJvmRequirements.ALL), section);
    }

    @Test
    void theExampleRuns()
    {
        final Path dir = TestDirs.create("bytes-readme");
        try (Topic topic = Topic.open(new Topic.Context().dir(dir).topic("quotes")))
        {
            final Quote sent = new Quote();
            sent.id = 7;
            sent.price = 101.25;
            sent.symbol.append("\u20acSTR");
            final Quote received = new Quote();
            Quote.sendAndReceive(topic.addProducer(), topic.addConsumer(StartPosition.EARLIEST), sent, received);
            assertEquals(7, received.id);
            assertEquals(101.25, received.price);
            assertEquals("\u20acSTR", received.symbol.toString());
        }
        finally
        {
            TestDirs.delete(dir);
        }
    }
}
