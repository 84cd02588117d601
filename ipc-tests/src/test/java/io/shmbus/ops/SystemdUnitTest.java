package io.shmbus.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/systemd/shmbus-broker.service passes {@code systemd-analyze verify} without a single message. verify
 * loads the unit as systemd would: it reports unknown keys and bad values, an ExecStart program that is not an
 * executable file, and dependencies on units that do not exist. So it runs on a root of its own
 * ({@code --root}) that holds the unit, an executable at the ExecStart path (the JVM need not be installed where
 * the unit expects it on the machine that runs the test) and an empty unit for each target the unit names or
 * gets by default; the check itself is shown to fail on a unit with a mistake.
 */
@Timeout(120)
class SystemdUnitTest
{
    private static final String UNIT_NAME = "shmbus-broker.service";
    /** What DefaultDependencies=yes adds to every service. */
    private static final List<String> DEFAULT_TARGETS = List.of("sysinit.target", "basic.target", "shutdown.target");

    private Path root;

    @BeforeEach
    void makeRoot() throws IOException
    {
        root = Files.createTempDirectory("shmbus-unit-test-");
    }

    @AfterEach
    void removeRoot() throws IOException
    {
        try (Stream<Path> files = Files.walk(root))
        {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private static String unit() throws IOException
    {
        return Files.readString(ProjectFiles.root().resolve("scripts").resolve("systemd").resolve(UNIT_NAME));
    }

    private static Path analyze()
    {
        final Path analyze = ProjectFiles.onPath("systemd-analyze");
        Assumptions.assumeTrue(null != analyze, "systemd-analyze is not installed, so the systemd unit was not " +
            "verified (Debian/Ubuntu: apt-get install systemd; .ci/run installs it)");
        return analyze;
    }

    /** Runs verify on the unit text in a root of its own. */
    private ProjectFiles.Run verify(final Path analyze, final String unit) throws Exception
    {
        final Path units = Files.createDirectories(root.resolve("etc/systemd/system"));
        final Path file = units.resolve(UNIT_NAME);
        Files.writeString(file, unit);
        final Set<String> targets = new LinkedHashSet<>(DEFAULT_TARGETS);
        final Matcher target = Pattern.compile("[\\w@.-]+\\.target").matcher(unit.replaceAll("(?m)^#.*$", ""));
        while (target.find())
        {
            targets.add(target.group());
        }
        for (final String name : targets)
        {
            Files.writeString(units.resolve(name), "[Unit]\nDescription=" + name + " (an empty stand-in)\n");
        }
        final Matcher exec = Pattern.compile("(?m)^ExecStart=[-@:+!]*(\\S+)").matcher(unit);
        assertTrue(exec.find(), "the unit has an ExecStart");
        final Path program = root.resolve(exec.group(1).substring(1));
        Files.createDirectories(program.getParent());
        Files.writeString(program, "#!/bin/sh\nexit 0\n");
        assertTrue(program.toFile().setExecutable(true));
        return ProjectFiles.run(List.of(analyze.toString(), "verify", "--root=" + root, "--man=no",
            "--generators=no", file.toString()));
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerifyWithoutAnyMessage() throws Exception
    {
        final ProjectFiles.Run verify = verify(analyze(), unit());
        assertEquals("", verify.output(), "systemd-analyze verify");
        assertEquals(0, verify.code(), verify.output());
    }

    @Test
    void theCheckFailsOnAUnitWithAMistake() throws Exception
    {
        final Path analyze = analyze();
        final ProjectFiles.Run unknownKey = verify(analyze,
            unit().replace("RemoveIPC=no", "RemoveIPC=no\nRemoveIpc=no"));
        assertTrue(unknownKey.output().contains("Unknown key 'RemoveIpc'"), unknownKey.output());
        final ProjectFiles.Run badValue = verify(analyze, unit().replace("Restart=on-failure", "Restart=sometimes"));
        assertTrue(badValue.output().contains("sometimes"), badValue.output());
        final ProjectFiles.Run missingProgram = verify(analyze, unit().replace("KillSignal=SIGTERM",
            "KillSignal=SIGTERM\nExecStopPost=/no/such/program"));
        assertTrue(missingProgram.output().contains("/no/such/program is not executable"), missingProgram.output());
        assertNotEquals(0, missingProgram.code());
    }

    @Test
    void theUnitSaysWhatTheBrokerNeeds() throws IOException
    {
        final String unit = unit();
        for (final String line : List.of("RemoveIPC=no", "LimitMEMLOCK=", "LimitNOFILE=", "User=shmbus",
            "KillSignal=SIGTERM", "TimeoutStopSec=", "Restart=on-failure", "Type=exec",
            "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx", "-cp /opt/shmbus/lib/*",
            "io.shmbus.broker.cli.Main broker --config /etc/shmbus/broker.conf"))
        {
            assertTrue(unit.contains(line), "the unit has " + line);
        }
    }
}
