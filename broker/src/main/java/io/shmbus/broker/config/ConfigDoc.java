package io.shmbus.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Writes the tables of docs/configuration.md from {@link BrokerSettings}, {@link TopicSettings} and
 * {@link MirrorSettings}: each between
 * its pair of marker comments, leaving the prose around them as it is. {@code scripts/gen-config-doc} runs it;
 * {@code ConfigDocTest} fails when the page and the tables disagree. Thread-safe (stateless).
 */
public final class ConfigDoc
{
    /** The command that brings the page up to date, for the test's message. */
    public static final String REGENERATE_COMMAND = "scripts/gen-config-doc";
    public static final String BROKER_BEGIN =
        "<!-- broker settings: written by " + REGENERATE_COMMAND + " from BrokerSettings; edit them there -->";
    public static final String BROKER_END = "<!-- end of broker settings -->";
    public static final String TOPIC_BEGIN =
        "<!-- topic settings: written by " + REGENERATE_COMMAND + " from TopicSettings; edit them there -->";
    public static final String TOPIC_END = "<!-- end of topic settings -->";
    public static final String MIRROR_BEGIN =
        "<!-- mirror settings: written by " + REGENERATE_COMMAND + " from MirrorSettings; edit them there -->";
    public static final String MIRROR_END = "<!-- end of mirror settings -->";

    private ConfigDoc()
    {
    }

    /**
     * Rewrites the page's tables in place.
     *
     * @param args the page, by default {@code docs/configuration.md}.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path page = Paths.get(args.length > 0 ? args[0] : "docs/configuration.md");
        final String before = Files.readString(page, StandardCharsets.UTF_8);
        final String after;
        try
        {
            after = render(before);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("gen-config-doc: " + page + ": " + ex.getMessage());
            System.exit(1);
            return;
        }
        if (after.equals(before))
        {
            System.out.println(page + ": up to date");
        }
        else
        {
            Files.writeString(page, after, StandardCharsets.UTF_8);
            System.out.println(page + ": tables rewritten");
        }
    }

    /**
     * The page with its generated parts replaced by the tables as they are now.
     *
     * @throws IllegalArgumentException when a marker comment is missing.
     */
    public static String render(final String page)
    {
        return replace(replace(replace(page, BROKER_BEGIN, BROKER_END, brokerTable()), TOPIC_BEGIN, TOPIC_END,
            topicTable()), MIRROR_BEGIN, MIRROR_END, mirrorTable());
    }

    /** The broker settings: key, flag, property, type, default, unit, range and description of each. */
    public static String brokerTable()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("| config key | flag | system property | type | default | unit | range | description |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (final Setting<?> setting : BrokerSettings.ALL)
        {
            sb.append("| ").append(code(setting.key()))
                .append(" | ").append(null == setting.flag() ? "" : code(setting.flag() + " " +
                setting.type().metavar()))
                .append(" | ").append(code(setting.property()));
            row(sb, setting);
        }
        return sb.toString();
    }

    /** The topic settings: key, type, default, unit, range and description of each. */
    public static String topicTable()
    {
        return sectionTable(TopicSettings.ALL);
    }

    /** A {@code [mirror NAME]} section's own settings, as {@link #topicTable()}. */
    public static String mirrorTable()
    {
        return sectionTable(MirrorSettings.ALL);
    }

    private static String sectionTable(final java.util.List<Setting<?>> settings)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("| key | type | default | unit | range | description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (final Setting<?> setting : settings)
        {
            sb.append("| ").append(code(setting.key()));
            row(sb, setting);
        }
        return sb.toString();
    }

    private static void row(final StringBuilder sb, final Setting<?> setting)
    {
        sb.append(" | ").append(setting.type().kind().label())
            .append(" | ").append(cell(setting.defaultText()))
            .append(" | ").append(cell(setting.unit()))
            .append(" | ").append(cell(setting.type().range()))
            .append(" | ").append(cell(setting.description()))
            .append(" |\n");
    }

    private static String code(final String text)
    {
        return null == text ? "" : "`" + text.replace("|", "\\|") + "`";
    }

    private static String cell(final String text)
    {
        return text.replace("|", "\\|");
    }

    private static String replace(final String page, final String begin, final String end, final String table)
    {
        final int from = page.indexOf(begin);
        final int to = page.indexOf(end);
        if (from < 0 || to < from)
        {
            throw new IllegalArgumentException("the marker comments " + begin + " and " + end +
                " are missing; put them, each on a line of its own, where the table goes");
        }
        final int tableStart = from + begin.length();
        return page.substring(0, tableStart) + "\n" + table + page.substring(to);
    }
}
