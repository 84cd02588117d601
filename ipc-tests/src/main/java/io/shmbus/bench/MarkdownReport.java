package io.shmbus.bench;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Markdown text that the reports of {@code scripts/bench ipc} and {@code scripts/bench persist} share: lines and
 * table rows, the rows that open the settings table (date, command, code, machine, load, java, child JVMs), the
 * failures section, and the number formats. A subclass renders its own sections in between. One thread.
 */
abstract class MarkdownReport
{
    final Invocation invocation;
    private final StringBuilder sb = new StringBuilder();

    MarkdownReport(final Invocation invocation)
    {
        this.invocation = invocation;
    }

    /** The rows every settings table starts with; {@code childNote} follows the child JVMs' command line. */
    final void invocationRows(final String childNote)
    {
        final MachineInfo machine = invocation.machine();
        row("date", invocation.started().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) +
            String.format(Locale.ROOT, ", took %.0f s", invocation.elapsedS()));
        row("command", "`" + invocation.commandLine() + "`");
        row("code", System.getProperty(IpcBenchmark.CODE_PROP_NAME, "unknown") + " (`git describe --always " +
            "--dirty` of the working tree that was built; *dirty* means uncommitted changes were measured too)");
        row("machine", "nproc " + machine.nproc() + ", " + machine.cpuModel() + ", Linux " + machine.kernel() +
            ", clocksource " + machine.clockSource() + ", RAM " + machine.memTotal());
        row("load average", "before " + invocation.loadBefore() + ", after " + invocation.loadAfter() +
            " (1/5/15 min)" + (MachineInfo.isBusy(invocation.loadBefore(), machine.nproc()) ?
            " — **other processes were running before the start: expect noisy numbers**" : ""));
        row("java", machine.java());
        row("child JVMs", "`" + childJvmText() + "`: " + childNote);
    }

    /** The failures section, when there are any. */
    final void failures(final List<String> failures)
    {
        if (!failures.isEmpty())
        {
            line("## Failures");
            line();
            for (final String failure : failures)
            {
                line("- " + failure);
            }
            line();
        }
    }

    final String text()
    {
        return sb.toString();
    }

    final void row(final String key, final String value)
    {
        line("| " + key + " | " + value.replace("|", "\\|") + " |");
    }

    final void line(final String text)
    {
        sb.append(text).append('\n');
    }

    final void line()
    {
        sb.append('\n');
    }

    static String fmt(final double value)
    {
        return String.format(Locale.ROOT, value >= 100 ? "%.1f" : "%.2f", value);
    }

    static String pct(final double value)
    {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%.0f", value);
    }

    static String count(final long n)
    {
        if (n >= 1_000_000 && n % 100_000 == 0)
        {
            return (n % 1_000_000 == 0 ? Long.toString(n / 1_000_000) : Double.toString(n / 1e6)) + "M";
        }
        if (n >= 1_000 && n % 1_000 == 0)
        {
            return n / 1_000 + "k";
        }
        return Long.toString(n);
    }

    static String mib(final int bytes)
    {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" :
            bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    /** The children's command line without the main class, the classpath shortened. */
    private String childJvmText()
    {
        final List<String> command = invocation.childCommand();
        final List<String> shown = new ArrayList<>();
        for (int i = 0; i < command.size() - 1; i++)
        {
            final String arg = command.get(i);
            shown.add(i > 0 && "-cp".equals(command.get(i - 1)) ? "<the parent's classpath>" : arg);
        }
        return String.join(" ", shown);
    }
}
