package io.shmbus.ipc;

import io.shmbus.client.ShmDirectory;
import io.shmbus.examples.ConsumerExample;
import io.shmbus.examples.NamedConsumerExample;
import io.shmbus.examples.ProducerExample;
import io.shmbus.examples.RemoteSubscriberExample;
import io.shmbus.examples.ReplayToSocketExample;
import io.shmbus.examples.StructuredMessageExample;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every program of the {@code examples} module, run as a process with a command-line mistake: it prints its usage
 * line and a one-line reason on stderr and exits 2, never a stack trace. No broker is needed: the arguments are
 * checked before anything connects.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExamplesBadArgumentsProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String MAX_LONG = Long.toString(Long.MAX_VALUE);
    private static final String LEDGER = "ledger";

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    static Stream<Arguments> mistakes()
    {
        return Stream.of(
            arguments(ProducerExample.class, "COUNT must be a whole number, not 'abc'", List.of("orders", "abc")),
            arguments(ProducerExample.class, "missing COUNT", List.of("orders")),
            arguments(ProducerExample.class, "missing TOPIC", List.of()),
            arguments(ProducerExample.class, "unexpected argument 'x'", List.of("orders", "1", "2", "x")),
            arguments(ProducerExample.class, "COUNT must be from 1 to " + MAX_LONG + ", not 0", List.of("orders", "0")),
            arguments(ProducerExample.class, "FIRST must be from 0 to ", List.of("orders", "10", "-1")),
            arguments(ProducerExample.class, "FIRST must be from 0 to " + (Long.MAX_VALUE - 10) + ", not " + MAX_LONG,
                List.of("orders", "10", MAX_LONG)),
            arguments(ProducerExample.class, "COUNT must be a whole number, not '99999999999999999999'",
                List.of("orders", "99999999999999999999")),
            arguments(ProducerExample.class, "TOPIC: invalid topic name 'a/b'", List.of("a/b", "10")),
            arguments(ConsumerExample.class, "COUNT must be a whole number, not '1e6'", List.of("orders", "1e6")),
            arguments(ConsumerExample.class, "unexpected argument '7'", List.of("orders", "5", "7")),
            arguments(RemoteSubscriberExample.class, "HOST:PORT must end in a port number, not '127.0.0.1:x'",
                List.of("127.0.0.1:x", "orders", "10")),
            arguments(RemoteSubscriberExample.class, "HOST:PORT must be HOST:PORT, not '7440'",
                List.of("7440", "orders", "10")),
            arguments(RemoteSubscriberExample.class, "HOST:PORT must have a port from 1 to 65535, not 70000",
                List.of("127.0.0.1:70000", "orders", "10")),
            arguments(RemoteSubscriberExample.class, "COUNT must be a whole number, not 'ten'",
                List.of("127.0.0.1:7440", "orders", "ten")),
            arguments(ReplayToSocketExample.class, "HOST:PORT must be HOST:PORT, not 'localhost'",
                List.of("orders", "localhost")),
            arguments(ReplayToSocketExample.class, "HOST:PORT must have a port from 1 to 65535, not 0",
                List.of("orders", "127.0.0.1:0")),
            arguments(ReplayToSocketExample.class, "missing HOST:PORT", List.of("orders")),
            arguments(NamedConsumerExample.class, "COUNT must be a whole number, not 'abc'",
                List.of("orders", "billing", "abc", LEDGER)),
            arguments(NamedConsumerExample.class, "COMMIT_EVERY must be from 1 to 2147483647, not 0",
                List.of("orders", "billing", "10", LEDGER, "0")),
            arguments(NamedConsumerExample.class, "COMMIT_EVERY must be from 1 to 2147483647, not 3000000000",
                List.of("orders", "billing", "10", LEDGER, "3000000000")),
            arguments(NamedConsumerExample.class, "NAME: invalid consumer name 'bill ing'",
                List.of("orders", "bill ing", "10", LEDGER)),
            arguments(NamedConsumerExample.class, "missing LEDGER", List.of("orders", "billing", "10")),
            arguments(StructuredMessageExample.class, "produce|consume must be produce or consume, not 'send'",
                List.of("send", "trades", "10")),
            arguments(StructuredMessageExample.class, "COUNT must be a whole number, not '-'",
                List.of("produce", "trades", "-")),
            arguments(StructuredMessageExample.class, "missing COUNT", List.of("consume", "trades")));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("mistakes")
    void aMistakePrintsTheUsageAndTheReasonAndExits2(
        final Class<?> example, final String reason, final List<String> args)
    {
        // in case a mistake went unnoticed: its own directory, no broker there, and the ledger file inside it
        final Path dir = children.shmDirectory();
        final List<String> jvmOptions = new ArrayList<>(JavaProcess.DEFAULT_JVM_OPTIONS);
        jvmOptions.add("-D" + ShmDirectory.DIR_PROP_NAME + "=" + dir.resolve("bus"));
        final String[] argv = args.stream().map(a -> LEDGER.equals(a) ? dir.resolve(a).toString() : a)
            .toArray(String[]::new);
        final JavaProcess process = children.start(example.getSimpleName(), List.of(), jvmOptions,
            System.getProperty("java.class.path"), example, argv);

        assertEquals(2, process.awaitExit(TIMEOUT), process.recentOutput());
        final List<String> stderr = process.stderrLines();
        assertEquals(2, stderr.size(), "the usage and one reason, no stack trace: " + process.recentOutput());
        assertTrue(stderr.get(0).startsWith("usage: " + example.getSimpleName() + " "), process.recentOutput());
        assertTrue(stderr.get(1).startsWith(reason), "expected '" + reason + "': " + process.recentOutput());
        assertEquals(List.of(), process.stdoutLines(), "nothing on stdout");
    }
}
