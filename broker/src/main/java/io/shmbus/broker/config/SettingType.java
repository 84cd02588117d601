package io.shmbus.broker.config;

/**
 * The kinds of value a setting takes, as the configuration page and {@code --help} name them. Immutable.
 */
public enum SettingType
{
    /** Bytes: a number with an optional binary suffix, {@code 65536}, {@code 64k}, {@code 4m}, {@code 1g}. */
    SIZE("size", "SIZE"),
    /** A number and a unit: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d}; bare: milliseconds. */
    DURATION("duration", "DURATION"),
    /** A whole number. */
    INTEGER("integer", "N"),
    /** A TCP port number. */
    PORT("port", "PORT"),
    /** {@code true} or {@code false} ({@code yes}, {@code no}). */
    BOOLEAN("boolean", "true|false"),
    /** An IP address or a host name. */
    ADDRESS("address", "ADDRESS"),
    /** Any text. */
    STRING("string", "TEXT"),
    /** A file system path. */
    PATH("path", "DIR"),
    /** One of a few words. */
    ENUM("enum", "WORD");

    private final String label;
    private final String metavar;

    SettingType(final String label, final String metavar)
    {
        this.label = label;
        this.metavar = metavar;
    }

    /** The name in the configuration page's type column. */
    public String label()
    {
        return label;
    }

    /** The placeholder of a command-line flag's value, e.g. {@code --net-port PORT}. */
    public String metavar()
    {
        return metavar;
    }
}
