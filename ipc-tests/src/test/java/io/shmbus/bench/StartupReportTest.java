package io.shmbus.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupReportTest
{
    private static TimedCommand.Times cpu(final double user, final double sys, final double wall)
    {
        return new TimedCommand.Times(wall, user, sys);
    }

    @Test
    void mediansRatiosAndTheGoalAgainstTheDefaultJvm()
    {
        final StartupReport report = new StartupReport();
        for (final double cpu : new double[]{0.30, 0.28, 0.40})
        {
            report.add("replay", StartupReport.Start.DEFAULT_JVM, cpu(cpu - 0.05, 0.05, 0.5));
            report.add("replay", StartupReport.Start.NO_ARCHIVE, cpu(cpu - 0.1, 0.05, 0.4));
        }
        report.add("replay", StartupReport.Start.SCRIPT, cpu(0.10, 0.04, 0.25));
        report.add("replay", StartupReport.Start.SCRIPT, cpu(0.11, 0.04, 0.20));
        report.addFirstRun("replay", cpu(0.5, 0.1, 0.9));

        assertEquals(StartupReport.Start.DEFAULT_JVM, report.anchor());
        assertEquals(0.30, report.medianCpuS("replay", StartupReport.Start.DEFAULT_JVM), 1e-9);
        assertEquals(0.145, report.medianCpuS("replay", StartupReport.Start.SCRIPT), 1e-9, "even count: the mean " +
            "of the middle two");
        assertEquals(0.145 / 0.30, report.cpuRatio("replay"), 1e-9);
        assertTrue(report.goalVerdict().endsWith("measured 0.48x, met"), report.goalVerdict());

        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("rounds", "3");
        final String markdown = report.markdown(settings);
        assertTrue(markdown.contains("| rounds | 3 |"), markdown);
        assertTrue(markdown.contains("| replay | 0.300 | 0.500 | 0.250 | 0.400 | 0.145 | 0.225 | **0.48** | 0.45 |"),
            markdown);
        assertTrue(markdown.contains("| replay | 0.600 | 0.900 |"), markdown);
        assertTrue(!markdown.contains("earlier code"), "no column for what was not measured");
    }

    @Test
    void theEarlierCodeIsTheAnchorWhenMeasured()
    {
        final StartupReport report = new StartupReport();
        report.add("stat", StartupReport.Start.SCRIPT, cpu(0.09, 0.01, 0.2));
        report.add("stat", StartupReport.Start.BEFORE_DEFAULT_JVM, cpu(0.2, 0.05, 0.4));
        report.add("stat", StartupReport.Start.DEFAULT_JVM, cpu(0.15, 0.05, 0.3));

        assertEquals(List.of(StartupReport.Start.BEFORE_DEFAULT_JVM, StartupReport.Start.DEFAULT_JVM,
            StartupReport.Start.SCRIPT), report.starts());
        assertEquals(0.4, report.cpuRatio("stat"), 1e-9);
        assertEquals(null, report.goalVerdict(), "replay was not measured");
        assertTrue(report.markdown(Map.of()).contains("CPU script ÷ earlier code, default JVM"));
    }

    @Test
    void bashTimeOutputIsRead()
    {
        final TimedCommand.Times times = TimedCommand.parse("some output\n0.512 0.120 0.031\n");
        assertEquals(0.512, times.wallS(), 1e-9);
        assertEquals(0.151, times.cpuS(), 1e-9);
    }
}
