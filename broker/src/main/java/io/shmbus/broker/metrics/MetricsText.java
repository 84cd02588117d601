package io.shmbus.broker.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed Prometheus text exposition (format 0.0.4; the OpenMetrics {@code # UNIT} and {@code # EOF} lines are
 * accepted too): metric families with their HELP, TYPE and samples. Strict: a line that is not a comment, a HELP,
 * a TYPE or a well-formed sample of a declared family is an error naming the line, so a page that is not a metrics
 * exposition is told apart from one.
 * <p>
 * Immutable once parsed; any thread.
 */
public final class MetricsText
{
    private static final String[] SUFFIXES = {"_total", "_created", "_count", "_sum", "_bucket", "_info", "_gcount",
        "_gsum"};

    private final Map<String, Family> families;

    private MetricsText(final Map<String, Family> families)
    {
        this.families = families;
    }

    /** One metric family: its name, HELP, TYPE and samples, in the order of the exposition. */
    public static final class Family
    {
        public final String name;
        String help;
        String type;
        final List<Sample> samples = new ArrayList<>();

        Family(final String name)
        {
            this.name = name;
        }

        /** The HELP text, null when the exposition gave none. */
        public String help()
        {
            return help;
        }

        /** The TYPE ({@code counter}, {@code gauge}, ...), null when the exposition gave none. */
        public String type()
        {
            return type;
        }

        public List<Sample> samples()
        {
            return Collections.unmodifiableList(samples);
        }
    }

    /** One sample line: its full name (with a suffix such as {@code _total}), labels and value. */
    public static final class Sample
    {
        public final String name;
        public final Map<String, String> labels;
        public final double value;

        Sample(final String name, final Map<String, String> labels, final double value)
        {
            this.name = name;
            this.labels = Collections.unmodifiableMap(labels);
            this.value = value;
        }
    }

    /**
     * Parses an exposition.
     *
     * @throws IllegalArgumentException naming the first line that is not valid.
     */
    public static MetricsText parse(final String text)
    {
        final Map<String, Family> families = new LinkedHashMap<>();
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i];
            try
            {
                parseLine(line, families);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + ex.getMessage() + ": " +
                    (line.length() > 100 ? line.substring(0, 100) + "..." : line));
            }
        }
        return new MetricsText(families);
    }

    private static void parseLine(final String line, final Map<String, Family> families)
    {
        if (line.isEmpty())
        {
            return;
        }
        if (line.startsWith("#"))
        {
            final String[] parts = line.split(" ", 4);
            if (parts.length >= 3 && ("HELP".equals(parts[1]) || "TYPE".equals(parts[1]) || "UNIT".equals(parts[1])))
            {
                final String name = checkName(parts[2]);
                final Family family = families.computeIfAbsent(name, Family::new);
                final String rest = parts.length > 3 ? parts[3] : "";
                if ("HELP".equals(parts[1]))
                {
                    family.help = unescape(rest, false);
                }
                else if ("TYPE".equals(parts[1]))
                {
                    if (!rest.matches("counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram"))
                    {
                        throw new IllegalArgumentException("unknown type '" + rest + "'");
                    }
                    family.type = rest;
                }
            }
            return; // other comments, # EOF
        }
        parseSample(line, families);
    }

    private static void parseSample(final String line, final Map<String, Family> families)
    {
        int at = 0;
        while (at < line.length() && isNameChar(line.charAt(at), at == 0))
        {
            at++;
        }
        if (0 == at)
        {
            throw new IllegalArgumentException("not a sample: no metric name");
        }
        final String name = line.substring(0, at);
        final Map<String, String> labels = new TreeMap<>();
        if (at < line.length() && line.charAt(at) == '{')
        {
            at = parseLabels(line, at + 1, labels);
        }
        if (at >= line.length() || line.charAt(at) != ' ')
        {
            throw new IllegalArgumentException("no value after the name and labels");
        }
        final String[] rest = line.substring(at + 1).trim().split(" +");
        if (rest.length < 1 || rest.length > 2)
        {
            throw new IllegalArgumentException("expected a value and an optional timestamp");
        }
        final double value = parseValue(rest[0]);
        if (rest.length == 2)
        {
            parseValue(rest[1]);
        }
        final Family family = familyOf(name, families);
        if (null == family)
        {
            throw new IllegalArgumentException("sample of '" + name + "' before any HELP or TYPE of its family");
        }
        family.samples.add(new Sample(name, labels, value));
    }

    private static Family familyOf(final String sampleName, final Map<String, Family> families)
    {
        final Family exact = families.get(sampleName);
        if (null != exact)
        {
            return exact;
        }
        for (final String suffix : SUFFIXES)
        {
            if (sampleName.endsWith(suffix))
            {
                final Family family = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (null != family)
                {
                    return family;
                }
            }
        }
        return null;
    }

    private static int parseLabels(final String line, final int start, final Map<String, String> labels)
    {
        int at = start;
        while (true)
        {
            if (at < line.length() && line.charAt(at) == '}')
            {
                return at + 1;
            }
            final int eq = line.indexOf('=', at);
            if (eq < 0)
            {
                throw new IllegalArgumentException("a label without '='");
            }
            final String label = line.substring(at, eq);
            if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*"))
            {
                throw new IllegalArgumentException("bad label name '" + label + "'");
            }
            if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
            {
                throw new IllegalArgumentException("the value of label '" + label + "' is not quoted");
            }
            int end = eq + 2;
            while (end < line.length() && line.charAt(end) != '"')
            {
                end += line.charAt(end) == '\\' ? 2 : 1;
            }
            if (end >= line.length())
            {
                throw new IllegalArgumentException("the value of label '" + label + "' does not end");
            }
            if (null != labels.put(label, unescape(line.substring(eq + 2, end), true)))
            {
                throw new IllegalArgumentException("label '" + label + "' twice");
            }
            at = end + 1;
            if (at < line.length() && line.charAt(at) == ',')
            {
                at++;
            }
            else if (at >= line.length() || line.charAt(at) != '}')
            {
                throw new IllegalArgumentException("expected ',' or '}' after label '" + label + "'");
            }
        }
    }

    private static double parseValue(final String text)
    {
        switch (text)
        {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try
                {
                    return Double.parseDouble(text);
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("'" + text + "' is not a number");
                }
        }
    }

    private static String checkName(final String name)
    {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"))
        {
            throw new IllegalArgumentException("bad metric name '" + name + "'");
        }
        return name;
    }

    private static boolean isNameChar(final char c, final boolean first)
    {
        return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' &&
            c <= '9');
    }

    private static String unescape(final String text, final boolean quotes)
    {
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length())
            {
                final char next = text.charAt(++i);
                if (next == 'n')
                {
                    sb.append('\n');
                }
                else if (next == '\\' || (quotes && next == '"'))
                {
                    sb.append(next);
                }
                else
                {
                    sb.append('\\').append(next);
                }
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Every family, in the order of the exposition. */
    public List<Family> families()
    {
        return new ArrayList<>(families.values());
    }

    /** The family named {@code name}, or null. */
    public Family family(final String name)
    {
        return families.get(name);
    }

    /** Every sample named {@code sampleName} (e.g. {@code shmbus_commands_total}), in order. */
    public List<Sample> samples(final String sampleName)
    {
        final List<Sample> found = new ArrayList<>();
        for (final Family family : families.values())
        {
            for (final Sample sample : family.samples)
            {
                if (sample.name.equals(sampleName))
                {
                    found.add(sample);
                }
            }
        }
        return found;
    }

    /**
     * The value of the sample named {@code sampleName} whose labels include {@code labels} (name, value, ...), or
     * NaN when there is none.
     */
    public double value(final String sampleName, final String... labels)
    {
        for (final Sample sample : samples(sampleName))
        {
            boolean matches = true;
            for (int i = 0; i + 1 < labels.length; i += 2)
            {
                matches &= labels[i + 1].equals(sample.labels.get(labels[i]));
            }
            if (matches)
            {
                return sample.value;
            }
        }
        return Double.NaN;
    }
}
