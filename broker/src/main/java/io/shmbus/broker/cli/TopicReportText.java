package io.shmbus.broker.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker's report on one topic ({@code TOPIC_INFO}: {@code key=value} lines, docs/protocol.md), parsed, and
 * printed for people by {@code shmbus topic info}. Lists (producers, consumers, network subscribers) are repeated
 * keys whose values are {@code name=value} pairs. Not thread-safe.
 */
final class TopicReportText
{
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<Map<String, String>>> lists = new HashMap<>();

    private TopicReportText()
    {
    }

    static TopicReportText parse(final String report)
    {
        final TopicReportText parsed = new TopicReportText();
        for (final String line : report.split("\n"))
        {
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            final String key = line.substring(0, eq);
            final String value = line.substring(eq + 1);
            if ("producer".equals(key) || "consumer".equals(key) || "remote".equals(key))
            {
                parsed.lists.computeIfAbsent(key, k -> new ArrayList<>()).add(pairs(value));
            }
            else
            {
                parsed.values.put(key, value);
            }
        }
        return parsed;
    }

    private static Map<String, String> pairs(final String value)
    {
        final Map<String, String> pairs = new HashMap<>();
        for (final String pair : value.split(" "))
        {
            final int eq = pair.indexOf('=');
            if (eq > 0)
            {
                pairs.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return pairs;
    }

    String get(final String key)
    {
        return values.get(key);
    }

    long getLong(final String key, final long defaultValue)
    {
        final String value = values.get(key);
        return null == value ? defaultValue : Long.parseLong(value);
    }

    List<Map<String, String>> list(final String key)
    {
        return lists.getOrDefault(key, List.of());
    }

    boolean hasArchive()
    {
        return values.containsKey("archive.dir");
    }

    /** The ring file and, when there is one, the archive: what a deletion removes. */
    void printFiles(final PrintStream out)
    {
        out.println("  ring file    " + get("ring.file") + " (" + get("ring.file.bytes") + " bytes)");
        if (hasArchive())
        {
            out.println("  archive      " + get("archive.dir") + ": " + get("archive.segments") + " segment file(s), " +
                get("archive.segment.bytes") + " bytes; " + get("archive.index.files") + " index file(s), " +
                get("archive.index.bytes") + " bytes");
        }
    }

    void print(final PrintStream out)
    {
        out.println("topic " + get("topic"));
        final boolean persistent = Boolean.parseBoolean(get("persistent"));
        out.println("  settings     capacity " + get("capacity") + " bytes, max message length " +
            get("max.message.length") + " bytes, " + (persistent ? "persistent (durability " + get("durability") +
            ", segments of " + get("segment.length") + " bytes)" : "not persistent"));
        out.println("  retention    " + limit(getLong("retention.bytes", 0), " bytes") + ", age " +
            limit(getLong("retention.age.ms", 0), " ms"));
        out.println("  slow consumers " + get("slow.consumer") + ("archive".equals(get("slow.consumer")) ?
            " (detach timeout " + get("slow.consumer.detach.timeout.ms") + " ms)" : ""));
        printFiles(out);
        final long tail = getLong("tail.position", 0);
        out.println("  positions    tail " + tail + ", producer limit " + get("producer.limit") +
            ", earliest in the ring " + get("earliest.position") + (persistent ? ", archived " +
            get("archived.position") + ", first retained " + get("first.position") : ""));
        final List<Map<String, String>> producers = list("producer");
        out.println("  producers    " + producers.size());
        for (final Map<String, String> producer : producers)
        {
            out.println("    pid " + producer.get("pid") + " (client " + producer.get("client") + ")" +
                (Boolean.parseBoolean(producer.get("exclusive")) ? " exclusive" : ""));
        }
        final List<Map<String, String>> local = list("consumer");
        final List<Map<String, String>> remote = list("remote");
        out.println("  consumers    " + local.size() + " local, " + remote.size() + " remote");
        for (final Map<String, String> consumer : local)
        {
            final long position = Long.parseLong(consumer.get("position"));
            out.println("    local  slot " + consumer.get("slot") + " pid " + consumer.get("pid") + " position " +
                position + " lag " + (tail - position) + " " + consumer.get("state"));
        }
        for (final Map<String, String> subscriber : remote)
        {
            final long position = Long.parseLong(subscriber.get("position"));
            out.println("    remote " + subscriber.get("address") + " position " + position + " lag " +
                (tail - position) + ("live".equals(subscriber.get("end")) ? " live" : " to " + subscriber.get("end")));
        }
    }

    private static String limit(final long value, final String unit)
    {
        return 0 == value ? "no limit" : value + unit;
    }
}
