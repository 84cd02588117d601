package io.shmbus.ipc;

import io.shmbus.client.ShmBus;
import io.shmbus.client.cnc.CncDescriptor;
import io.shmbus.client.cnc.CncFile;
import io.shmbus.client.cnc.CommandFlyweight;
import io.shmbus.client.cnc.ControlProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker daemon and the command line given bad input, each case in its own JVM as a user runs it: every one
 * ends with a clear message on stderr, no stack trace, and a non-zero exit code (2 for mistakes in the command
 * line, the config file or the directories given, 1 for failures). The cases run side by side to keep the test short. Then bad records on a running broker's command
 * ring: each is rejected and counted, and the broker keeps serving.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrokerBadInputTest
{
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(45);
    private static final Pattern STACK_FRAME = Pattern.compile("\\s+at [\\w$.]+\\(.*\\)\\s*");
    private static final int EXIT_FAILURE = 1;
    private static final int EXIT_USAGE = 2;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private final List<Case> cases = new ArrayList<>();

    @Test
    void badInputGetsAClearErrorAndANonZeroExitCode() throws IOException
    {
        final Path shm = children.shmDirectory();

        // a config file with an error: the message names the file, the line and the reason
        final Path badValue = BrokerDaemon.configFile(shm.resolve("bad-value.conf"),
            "# broker settings",
            "client.liveness.timeout = 5s",
            "",
            "[topic orders]",
            "capacity = lots");
        expect("bad-config-value", EXIT_USAGE, new String[] { badValue + ":5: ", "capacity", "lots" },
            "broker", "--dir", shm.resolve("b1").toString(), "--config", badValue.toString());
        final Path badName = BrokerDaemon.configFile(shm.resolve("bad-name.conf"),
            "[topic.defaults]",
            "capacity = 1m",
            "[topic ../etc/passwd]");
        expect("bad-config-topic-name", EXIT_USAGE, new String[] { badName + ":3: ", "../etc/passwd" },
            "broker", "--dir", shm.resolve("b2").toString(), "--config", badName.toString());
        final Path badSetting = BrokerDaemon.configFile(shm.resolve("bad-setting.conf"),
            "unblock.timeout = soon");
        expect("bad-config-duration", EXIT_USAGE, new String[] { badSetting + ":1: ", "unblock.timeout", "soon" },
            "broker", "--dir", shm.resolve("b3").toString(), "--config", badSetting.toString());
        expect("missing-config", EXIT_USAGE, new String[] { shm.resolve("nowhere.conf").toString() },
            "broker", "--dir", shm.resolve("b4").toString(), "--config", shm.resolve("nowhere.conf").toString());

        // a CnC file of another shmbus release: refused, and left alone for the release that owns it
        final Path otherVersion = shm.resolve("other-version");
        final byte[] foreignCnc = writeForeignCnc(otherVersion, 99);
        expect("cnc-of-another-version", EXIT_FAILURE, new String[] { "version 99", "version " +
            CncDescriptor.VERSION }, "broker", "--dir", otherVersion.toString());

        // directories the broker cannot use
        permissionCases(shm);
        final Path regularFile = Files.writeString(shm.resolve("a-file"), "not a directory");
        expect("dir-under-a-file", EXIT_USAGE, new String[] { regularFile.resolve("bus").toString() },
            "broker", "--dir", regularFile.resolve("bus").toString());
        expect("dir-is-a-file", EXIT_USAGE, new String[] { regularFile + " exists and is not a directory" },
            "broker", "--dir", regularFile.toString());

        // usage mistakes
        expect("unknown-command", EXIT_USAGE, new String[] { "unknown command 'frobnicate'" }, "frobnicate");
        expect("unknown-flag", EXIT_USAGE, new String[] { "--bogus" }, "broker", "--bogus");
        expect("bad-flag-value", EXIT_USAGE, new String[] { "--client-timeout", "soon" },
            "broker", "--dir", shm.resolve("b5").toString(), "--client-timeout", "soon");

        // a second broker on a directory a live broker owns
        final Path owned = shm.resolve("owned");
        final JavaProcess first = BrokerDaemon.start(children, "first-broker", owned);
        expect("second-broker", EXIT_FAILURE, new String[] { "another broker (pid " + first.pid() +
            ") is running on " + owned }, "broker", "--dir", owned.toString());

        final List<String> failures = new ArrayList<>();
        for (final Case c : cases)
        {
            final String failure = c.check();
            System.out.println(getClass().getSimpleName() + ": " + c.name + ": " +
                (null == failure ? "exit " + c.process.awaitExit(Duration.ZERO) + ", " + c.message() : failure));
            if (null != failure)
            {
                failures.add(failure);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));

        assertArrayEquals(foreignCnc, Files.readAllBytes(CncFile.fileIn(otherVersion)),
            "the CnC file of another release is left as it was");
        assertTrue(first.isAlive(), "the first broker is still running");
        assertEquals(0, BrokerDaemon.counter(owned, BrokerDaemon.COMMANDS_REJECTED));

        // bad records on the command ring, written by a process that is not a well-behaved client
        final int rejected = writeBadCommands(owned);
        BrokerDaemon.awaitCounter(first, owned, BrokerDaemon.COMMANDS_REJECTED, v -> v == rejected,
            Integer.toString(rejected), EXIT_TIMEOUT);
        assertTrue(first.isAlive(), "the broker survives bad commands");
        try (ShmBus bus = ShmBus.connect(new ShmBus.Context().dir(owned)))
        {
            assertTrue(bus.addProducer("still-served").position() >= 0, "the broker still serves");
        }
        assertEquals(rejected, BrokerDaemon.counter(owned, BrokerDaemon.COMMANDS_REJECTED));
        assertEquals(0, BrokerDaemon.counter(owned, "broker: errors"), "no unexpected error in the broker");
    }

    /**
     * Writes malformed and unknown commands to the broker's command ring.
     *
     * @return how many were written; the broker must reject each.
     */
    private static int writeBadCommands(final Path dir) throws IOException
    {
        try (CncFile cnc = CncFile.map(CncFile.fileIn(dir)))
        {
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(cnc.toBroker());
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CommandFlyweight.MAX_LENGTH]);
            final CommandFlyweight command = new CommandFlyweight();
            final long pid = ProcessHandle.current().pid();
            int written = 0;

            // too short to be a command
            buffer.putLong(0, ring.nextCorrelationId());
            written += ring.write(ControlProtocol.ADD_PRODUCER, buffer, 0, 8) ? 1 : 0;
            // an unknown type
            command.wrap(buffer, 0).clear().correlationId(ring.nextCorrelationId()).clientId(-1).clientPid(pid)
                .topic("orders");
            written += ring.write(999, buffer, 0, command.length()) ? 1 : 0;
            // no client pid
            command.wrap(buffer, 0).clear().correlationId(ring.nextCorrelationId()).clientId(-2).topic("orders");
            written += ring.write(ControlProtocol.ADD_PRODUCER, buffer, 0, command.length()) ? 1 : 0;
            // a bad topic name
            command.wrap(buffer, 0).clear().correlationId(ring.nextCorrelationId()).clientId(-3).clientPid(pid)
                .topic("../../etc");
            written += ring.write(ControlProtocol.ADD_PRODUCER, buffer, 0, command.length()) ? 1 : 0;
            // a topic length beyond the record
            command.wrap(buffer, 0).clear().correlationId(ring.nextCorrelationId()).clientId(-4).clientPid(pid)
                .topic("orders");
            buffer.putInt(CommandFlyweight.TOPIC_LENGTH_OFFSET, 10_000);
            written += ring.write(ControlProtocol.ADD_CONSUMER, buffer, 0, CommandFlyweight.MIN_LENGTH + 6) ? 1 : 0;
            // an unknown start type
            command.wrap(buffer, 0).clear().correlationId(ring.nextCorrelationId()).clientId(-5).clientPid(pid)
                .startType(77).topic("orders");
            written += ring.write(ControlProtocol.ADD_CONSUMER, buffer, 0, command.length()) ? 1 : 0;
            // removing a registration that does not exist
            command.wrap(buffer, 0).clear().correlationId(ring.nextCorrelationId()).clientId(-6).clientPid(pid)
                .registrationId(123_456);
            written += ring.write(ControlProtocol.REMOVE_PRODUCER, buffer, 0, command.length()) ? 1 : 0;
            assertEquals(7, written, "the ring took every record");
            return written;
        }
    }

    /**
     * A directory the broker may not write to, and one it may not create. The tests may run as root, whose
     * permission checks the kernel skips (CAP_DAC_OVERRIDE): there the broker runs with those capabilities
     * dropped ({@code setpriv --bounding-set -dac_override,-dac_read_search}), which makes root as subject to
     * the mode bits as any user. Without setpriv, root cannot be refused and these two cases are left out.
     */
    private void permissionCases(final Path shm) throws IOException
    {
        final Path readOnly = Files.createDirectory(shm.resolve("read-only"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-x------")));
        final List<String> wrapper;
        if (!Files.isWritable(readOnly)) // an ordinary user
        {
            wrapper = List.of();
        }
        else if (Files.isExecutable(Paths.get("/usr/bin/setpriv")))
        {
            wrapper = List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--");
        }
        else
        {
            System.out.println(getClass().getSimpleName() + ": permission checks are bypassed here (root) and " +
                "there is no setpriv to drop that: the no-permission cases are left out");
            return;
        }
        expectWrapped("no-permission-in-dir", wrapper, EXIT_USAGE,
            new String[] { "no permission to create files in " + readOnly }, "broker", "--dir", readOnly.toString());
        expectWrapped("no-permission-to-create-dir", wrapper, EXIT_USAGE,
            new String[] { "no permission to create directory " + readOnly.resolve("bus") },
            "broker", "--dir", readOnly.resolve("bus").toString());
    }

    /** A CnC file as another release might leave it: the right magic and length, another version. */
    private static byte[] writeForeignCnc(final Path dir, final int version) throws IOException
    {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final ByteBuffer header = ByteBuffer.allocate(CncDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(CncDescriptor.VERSION_OFFSET, version);
        header.putInt(CncDescriptor.MAGIC_OFFSET, CncDescriptor.MAGIC);
        try (RandomAccessFile file = new RandomAccessFile(CncFile.fileIn(dir).toFile(), "rw"))
        {
            file.setLength(CncDescriptor.defaultFileLength());
            file.write(header.array());
        }
        return Files.readAllBytes(CncFile.fileIn(dir));
    }

    private void expect(final String name, final int status, final String[] fragments, final String... args)
    {
        expectWrapped(name, List.of(), status, fragments, args);
    }

    private void expectWrapped(
        final String name, final List<String> wrapper, final int status, final String[] fragments,
        final String... args)
    {
        cases.add(new Case(name, status, fragments,
            children.startWrapped(name, wrapper, BrokerCliMain.class, args)));
    }

    /** One command line, what it must end with, and its running process. */
    private static final class Case
    {
        final String name;
        final int status;
        final String[] fragments;
        final JavaProcess process;

        Case(final String name, final int status, final String[] fragments, final JavaProcess process)
        {
            this.name = name;
            this.status = status;
            this.fragments = fragments;
            this.process = process;
        }

        /** @return what is wrong, or null. */
        String check()
        {
            final int actual;
            try
            {
                actual = process.awaitExit(EXIT_TIMEOUT);
            }
            catch (final AssertionError ex)
            {
                return name + ": " + ex.getMessage();
            }
            final List<String> output = new ArrayList<>(process.stdoutLines());
            output.addAll(process.stderrLines());
            final String text = String.join("\n", process.stderrLines());
            final List<String> problems = new ArrayList<>();
            if (actual != status)
            {
                problems.add("exit status " + actual + ", expected " + status);
            }
            for (final String fragment : fragments)
            {
                if (!text.contains(fragment))
                {
                    problems.add("stderr does not say '" + fragment + "'");
                }
            }
            if (output.stream().anyMatch(line -> STACK_FRAME.matcher(line).matches() ||
                line.contains("Exception in thread")))
            {
                problems.add("a stack trace was printed");
            }
            return problems.isEmpty() ? null : name + " (" + String.join(" ", process.name()) + "): " +
                String.join("; ", problems) + "; output:\n    " + String.join("\n    ", output);
        }

        String message()
        {
            final List<String> lines = process.stderrLines();
            return lines.isEmpty() ? "(no stderr)" : lines.get(0) + (lines.size() > 1 ? " [+" + (lines.size() - 1) +
                " lines]" : "");
        }

        public String toString()
        {
            return name + Arrays.toString(fragments);
        }
    }
}
