package io.shmbus.soak;

import io.shmbus.ipc.NumberedStreams;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shmbus.broker.logging.JsonStrings.quote;

/**
 * The figures of a finished soak, the checks that make it fail, and their three forms: one console line per figure,
 * {@code soak.md} and {@code soak.json} in the output directory.
 * <p>
 * Growth tolerance of the broker between a sample taken once it has run {@code 10 s} (clients connected, the hot
 * code compiled) and its last sample: at most {@value #FD_TOLERANCE} more file handles and {@value #RSS_TOLERANCE_MB}
 * MiB more resident memory. The broker runs with its heap committed and touched up front ({@code -Xms64m -Xmx64m
 * -XX:+AlwaysPreTouch}), so heap sizing does not show as growth; what may still legitimately change is bounded:
 * each remote subscriber holds a socket and one open segment file, and one that is reconnecting after a kill may
 * briefly hold a second pair (2 subscribers, so 4), a segment roll opens a new segment and time index per topic
 * while the old ones close (2 topics, so 4), and the JVM may open a few more files of its own (compiled code,
 * class data), so 16 in all. Memory: the JIT keeps compiling after the first seconds and its code cache, metadata
 * and the C heap of the compiler threads grow by some MiB, and the shared-memory pages of rings and CnC file that
 * count as resident are touched as they are used (under 1 MiB here), so 32 MiB. A leak of a handle or a buffer per
 * kill, reconnect or segment shows above these within minutes.
 */
final class SoakReport
{
    static final long FD_TOLERANCE = 16;
    static final long RSS_TOLERANCE_MB = 32;

    private final Soak soak;
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final List<String> failures;
    long lost;
    long lostInDelivery;
    long duplicated;
    long streamErrors;

    SoakReport(final Soak soak)
    {
        this.soak = soak;
        this.failures = new ArrayList<>(soak.failures);
        evaluate();
    }

    /** Why a broker's usage grew past the tolerance, or null. */
    static String growth(final BrokerUsage first, final BrokerUsage last)
    {
        final List<String> findings = new ArrayList<>();
        if (last.fileHandles - first.fileHandles > FD_TOLERANCE)
        {
            findings.add("file handles " + first.fileHandles + " -> " + last.fileHandles + " (tolerance +" +
                FD_TOLERANCE + ")");
        }
        if (last.rssKb - first.rssKb > RSS_TOLERANCE_MB * 1024)
        {
            findings.add("RSS " + first.rssKb / 1024 + " -> " + last.rssKb / 1024 + " MiB (tolerance +" +
                RSS_TOLERANCE_MB + " MiB)");
        }
        return findings.isEmpty() ? null : String.join(", ", findings);
    }

    boolean passed()
    {
        return failures.isEmpty();
    }

    private void evaluate()
    {
        long committed = 0;
        int exact = 0;
        final Set<Integer> known = new HashSet<>();
        for (final StreamRecord stream : soak.streams)
        {
            known.add(stream.id);
            committed += stream.committed;
            exact += stream.exact ? 1 : 0;
            final ArchiveCheck check = soak.archives.get(stream.topic);
            final NumberedStreams.Stream archived = null == check ? null : check.streams.stream(stream.id);
            final long inArchive = null == archived ? 0 : archived.nextSeq;
            if (null != check && stream.committed > inArchive)
            {
                lost += stream.committed - inArchive;
                failures.add("stream " + stream.id + " (" + stream.producer + ", " + stream.topic + "): " +
                    stream.committed + " committed" + (stream.exact ? "" : " by its last report") + ", only " +
                    inArchive + " in the archive");
            }
        }
        long archivedMessages = 0;
        for (final ArchiveCheck check : soak.archives.values())
        {
            archivedMessages += check.messages();
            lost += check.streams.missing();
            duplicated += check.streams.duplicates();
            streamErrors += check.streams.corrupt() + (null == check.scan.problem ? 0 : 1);
            for (final String error : check.streams.errors())
            {
                failures.add("archive of " + check.topic + ": " + error);
            }
            if (null != check.scan.problem)
            {
                failures.add("archive of " + check.topic + ": " + check.scan.problem + " at position " +
                    check.scan.problemPosition + " in " + check.scan.problemFile);
            }
            for (final NumberedStreams.Stream stream : check.streams.streams())
            {
                if (!known.contains(stream.id))
                {
                    streamErrors++;
                    failures.add("archive of " + check.topic + ": stream " + stream.id + " was never started");
                }
            }
        }
        long deliveredLocal = 0;
        long deliveredRemote = 0;
        int unchecked = 0;
        for (final ReadRecord read : soak.reads)
        {
            if (read.remote)
            {
                deliveredRemote += read.received;
            }
            else
            {
                deliveredLocal += read.received;
            }
            lostInDelivery += read.missing;
            duplicated += read.duplicates;
            streamErrors += read.corrupt;
            if (read.archived < 0)
            {
                unchecked += read.received > 0 ? 1 : 0;
            }
            else if (read.archived != read.received)
            {
                if (read.received < read.archived)
                {
                    lostInDelivery += read.archived - read.received;
                }
                else
                {
                    duplicated += read.received - read.archived;
                }
                failures.add(read.name + " received " + read.received + " messages from [" + read.start + ", " +
                    read.position + "), where the archive holds " + read.archived);
            }
        }

        figures.put("duration", String.format("%.1f min of kills (%d s in all)", soak.runMs / 60_000.0,
            soak.runMs / 1000));
        figures.put("committed", String.format("%,d (per the producers' last reports: a lower bound; %d of %d " +
            "streams exact, from a clean stop)", committed, exact, soak.streams.size()));
        figures.put("delivered", String.format("%,d local, %,d remote (%d consumer incarnations; %d not checked " +
            "against the archive)", deliveredLocal, deliveredRemote, soak.reads.size(), unchecked));
        figures.put("archived", String.format("%,d messages in %d topic(s)", archivedMessages, soak.archives.size()));
        figures.put("lost", String.format("%,d (committed but not archived, or a gap in a stream); %,d more lost " +
            "in delivery to a consumer", lost, lostInDelivery));
        figures.put("duplicated", String.format("%,d", duplicated));
        figures.put("stream errors", String.format("%,d", streamErrors));
        figures.put("longest stall", stallText(soak.publishStalls) + "; archive: " + stallText(soak.archiveStalls) +
            "; frozen (no producer or local consumer moving; fails past --max-stall): " +
            stallText(soak.frozenStalls));
        figures.put("kills", String.format("%s, %d restarts", killText(), soak.restarts()));
        figures.put("broker at start", null == soak.usageAtStart ? "(not sampled)" : soak.usageAtStart.toString());
        figures.put("broker at end", null == soak.usageAtEnd ? "(not sampled)" : soak.usageAtEnd.toString());
        figures.put("broker growth", soak.usageFindings.isEmpty() ?
            "not checked: no broker incarnation lived 20 s after its warm-up sample" :
            String.join("; ", soak.usageFindings));
        figures.put("result", failures.isEmpty() ? "PASSED" : "FAILED (" + failures.size() + " problem(s))");
    }

    private String stallText(final Map<String, Stall> stalls)
    {
        Stall longest = null;
        for (final Stall stall : stalls.values())
        {
            if (null == longest || stall.longestMs() > longest.longestMs())
            {
                longest = stall;
            }
        }
        return null == longest ? "none" : String.format("%,d ms (%s)", longest.longestMs(), longest.what);
    }

    private String killText()
    {
        final StringBuilder sb = new StringBuilder();
        int total = 0;
        for (final Role role : Role.values())
        {
            final int count = soak.kills.getOrDefault(role, 0);
            total += count;
            sb.append(sb.length() == 0 ? "" : ", ").append(role.label).append(' ').append(count);
        }
        return total + " (" + sb + ")";
    }

    void print(final PrintStream out)
    {
        figures.forEach((name, value) -> out.printf("soak: %-16s %s%n", name + ":", value));
        for (final String failure : failures)
        {
            out.println("soak: FAILURE: " + failure);
        }
    }

    /** Writes {@code soak.md} and {@code soak.json}. */
    void write(final Path dir, final String command, final String code) throws IOException
    {
        final StringBuilder md = new StringBuilder();
        md.append("# shmbus soak\n\n");
        md.append("`").append(command).append("` (code ").append(code).append(")\n\n");
        md.append("Options: `").append(soak.options).append("`\n\n");
        md.append("| figure | value |\n|---|---|\n");
        figures.forEach((name, value) -> md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|"))
            .append(" |\n"));
        md.append("\n## Failures\n\n");
        if (failures.isEmpty())
        {
            md.append("none\n");
        }
        failures.forEach(failure -> md.append("- ").append(failure.replace("\n", " ")).append('\n'));
        md.append("\n## Kills\n\n");
        soak.killLog.forEach(kill -> md.append("- ").append(kill).append('\n'));
        md.append("\n## Consumer incarnations\n\n| consumer | start | position | received | in the archive |\n")
            .append("|---|---:|---:|---:|---:|\n");
        for (final ReadRecord read : soak.reads)
        {
            md.append("| ").append(read.name).append(read.killed ? " (killed)" : "").append(" | ").append(read.start)
                .append(" | ").append(read.position).append(" | ").append(read.received).append(" | ")
                .append(read.archived < 0 ? "-" : Long.toString(read.archived)).append(" |\n");
        }
        md.append("\nThe broker's growth tolerance: +").append(FD_TOLERANCE).append(" file handles, +")
            .append(RSS_TOLERANCE_MB).append(" MiB RSS between its sample after 10 s and its last (see SoakReport).\n");
        Files.writeString(dir.resolve("soak.md"), md.toString());

        final StringBuilder json = new StringBuilder("{\n");
        json.append("  \"command\": ").append(quote(command)).append(",\n");
        json.append("  \"code\": ").append(quote(code)).append(",\n");
        json.append("  \"seed\": ").append(soak.options.seed).append(",\n");
        json.append("  \"passed\": ").append(passed()).append(",\n");
        json.append("  \"runMs\": ").append(soak.runMs).append(",\n");
        json.append("  \"committed\": ").append(soak.committed()).append(",\n");
        json.append("  \"lost\": ").append(lost).append(",\n");
        json.append("  \"lostInDelivery\": ").append(lostInDelivery).append(",\n");
        json.append("  \"duplicated\": ").append(duplicated).append(",\n");
        json.append("  \"streamErrors\": ").append(streamErrors).append(",\n");
        json.append("  \"longestPublishStallMs\": ").append(longest(soak.publishStalls)).append(",\n");
        json.append("  \"longestArchiveStallMs\": ").append(longest(soak.archiveStalls)).append(",\n");
        json.append("  \"longestFrozenMs\": ").append(longest(soak.frozenStalls)).append(",\n");
        json.append("  \"kills\": {");
        final List<String> killEntries = new ArrayList<>();
        for (final Role role : Role.values())
        {
            killEntries.add(quote(role.name().toLowerCase()) + ": " + soak.kills.getOrDefault(role, 0));
        }
        json.append(String.join(", ", killEntries)).append("},\n");
        json.append("  \"restarts\": ").append(soak.restarts()).append(",\n");
        json.append("  \"brokerAtStart\": ").append(usage(soak.usageAtStart)).append(",\n");
        json.append("  \"brokerAtEnd\": ").append(usage(soak.usageAtEnd)).append(",\n");
        json.append("  \"figures\": {");
        final List<String> figureEntries = new ArrayList<>();
        figures.forEach((name, value) -> figureEntries.add("\n    " + quote(name) + ": " + quote(value)));
        json.append(String.join(",", figureEntries)).append("\n  },\n");
        json.append("  \"failures\": [");
        final List<String> failureEntries = new ArrayList<>();
        failures.forEach(failure -> failureEntries.add("\n    " + quote(failure)));
        json.append(String.join(",", failureEntries)).append(failures.isEmpty() ? "]\n" : "\n  ]\n");
        json.append("}\n");
        Files.writeString(dir.resolve("soak.json"), json.toString());
    }

    private static long longest(final Map<String, Stall> stalls)
    {
        return stalls.values().stream().mapToLong(Stall::longestMs).max().orElse(0);
    }

    private static String usage(final BrokerUsage usage)
    {
        return null == usage ? "null" : "{\"fileHandles\": " + usage.fileHandles + ", \"rssKb\": " + usage.rssKb +
            ", \"atMs\": " + usage.atMs + "}";
    }
}
