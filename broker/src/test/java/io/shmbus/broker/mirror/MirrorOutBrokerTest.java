package io.shmbus.broker.mirror;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.shmbus.broker.BrokerContext;
import io.shmbus.broker.BrokerFixture;
import io.shmbus.client.ConfigurationException;
import io.shmbus.client.cnc.CncFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The broker's side of mirroring: a broker that mirrors nothing starts no media driver, no thread and no socket; one
 * that mirrors starts them and stops them (its driver's directory removed) at close; a start that fails removes
 * them; an external driver is used through {@code aeron.dir}, and a missing one is a clear error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorOutBrokerTest
{

    @RegisterExtension
    final BrokerFixture fixture = new BrokerFixture("mirror-out-broker-");

    @Test
    void aBrokerThatMirrorsNothingStartsNoDriverThreadOrSocket() throws IOException
    {
        final long socketsBefore = openSockets();
        fixture.launchSmall(fixture.dataDir(), "[topic kept]\n");
        assertFalse(Files.exists(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME)), "no media driver directory");
        assertEquals(Set.of(), mirrorThreads(), "no mirror thread");
        assertEquals(socketsBefore, openSockets(), "no socket");
    }

    @Test
    void aMirroringBrokerStartsTheDriverAndTheSenderAndStopsThemAtClose() throws IOException
    {
        fixture.launchSmall(fixture.dataDir(), "[topic m]\nmirror.channel = aeron:udp?endpoint=127.0.0.1:" +
            BareAeronSubscriber.freeUdpPort() + "|term-length=64k\n");
        assertTrue(Files.isDirectory(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME)));
        final Set<String> threads = mirrorThreads();
        assertTrue(threads.contains(MirrorSender.ROLE_NAME) && threads.contains("aeron-client") &&
            threads.contains("aeron-executor") && threads.stream().anyMatch(name ->
            name.startsWith(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME) + " [")), threads.toString());
        assertTrue(fixture.log().contains("mirroring out through the Aeron media driver in " +
            fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME) + " (embedded): topic 'm' on aeron:udp?"),
            fixture.log());
        assertTrue(fixture.log().contains("WARN broker: no network server (--net-port): receivers of the mirrored " +
            "topics cannot catch up"), fixture.log());

        fixture.stop();
        assertFalse(Files.exists(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME)), "the driver's directory");
        awaitNoMirrorThreads();
    }

    @Test
    void aTopicWhoseFramesDoNotFitTheChannelFailsTheStartAndLeavesNothing() throws IOException
    {
        final Path config = Files.writeString(fixture.root().resolve("broker.conf"), "[topic big]\ncapacity = 1m\n" +
            "mirror.channel = aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() +
            "|term-length=64k\n");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> fixture.launch(
            new BrokerContext().configFile(config).dataDir(fixture.dataDir())));
        assertTrue(ex.getMessage().contains("topic 'big' holds frames of up to 131072 bytes, longer than the " +
            "largest message of its mirror channel") && ex.getMessage().contains("add term-length=1048576"),
            ex.getMessage());
        assertFalse(Files.exists(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME)), "the driver's directory");
        assertFalse(Files.exists(CncFile.fileIn(fixture.shm())), "the CnC file");
        awaitNoMirrorThreads();
    }

    @Test
    void aChannelTheDriverRefusesFailsTheStartNamingTheTopic() throws IOException
    {
        final Path config = Files.writeString(fixture.root().resolve("broker.conf"), "[topic m]\n" +
            "mirror.channel = aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() + "|term-length=3\n");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> fixture.launch(
            new BrokerContext().configFile(config).dataDir(fixture.dataDir())));
        assertTrue(ex.getMessage().startsWith("topic 'm' cannot be mirrored out on aeron:udp?endpoint=127.0.0.1:") &&
            ex.getMessage().contains("the media driver refused it"), ex.getMessage());
        assertFalse(Files.exists(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME)), "the driver's directory");
        awaitNoMirrorThreads();
    }

    @Test
    void anExternalDriverIsUsedThroughAeronDir() throws IOException
    {
        final Path external = fixture.root().resolve("external-aeron");
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(external.toString())
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true)))
        {
            final Path config = Files.writeString(fixture.root().resolve("broker.conf"), "aeron.dir = " + external +
                "\n[topic m]\nmirror.channel = aeron:udp?endpoint=127.0.0.1:" + BareAeronSubscriber.freeUdpPort() +
                "\n");
            fixture.launch(new BrokerContext().configFile(config).dataDir(fixture.dataDir()));
            assertTrue(fixture.log().contains("mirroring out through the Aeron media driver in " + external + ": "),
                fixture.log());
            assertFalse(Files.exists(fixture.shm().resolve(MirrorAeron.EMBEDDED_DIR_NAME)), "no embedded driver");
            assertTrue(mirrorThreads().stream().noneMatch(name -> name.contains(fixture.shm().toString())),
                "no embedded driver thread: " + mirrorThreads());
            fixture.stop();
            assertTrue(Files.exists(external.resolve("cnc.dat")), "the external driver runs on");
        }
    }

    @Test
    void aMissingExternalDriverIsAClearErrorAtStart()
    {
        final Path nowhere = fixture.root().resolve("no-driver");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> fixture.launch(
            new BrokerContext().dataDir(fixture.dataDir()).aeronDir(nowhere)
                .mirrorOut("m", "aeron:udp?endpoint=127.0.0.1:40999")));
        assertEquals("no Aeron media driver runs in " + nowhere + " (aeron.dir): start one there, or leave " +
            "aeron.dir unset and the broker embeds one", ex.getMessage());
        assertFalse(Files.exists(CncFile.fileIn(fixture.shm())), "the CnC file");
    }

    private static Set<String> mirrorThreads()
    {
        final Set<String> names = new TreeSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (MirrorSender.ROLE_NAME.equals(thread.getName()) || thread.getName().contains("aeron"))
            {
                names.add(thread.getName());
            }
        }
        return names;
    }

    /** The threads of mirrors: the sender, and Aeron's (whose names all contain "aeron"). */
    private static void awaitNoMirrorThreads()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!mirrorThreads().isEmpty())
        {
            if (System.nanoTime() > deadline)
            {
                fail("mirror threads still running: " + mirrorThreads());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** The sockets this process has open. */
    private static long openSockets() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.filter(fd ->
            {
                try
                {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                }
                catch (final IOException gone)
                {
                    return false;
                }
            }).count();
        }
    }
}
