package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A config file checked against the settings tables: every mistake as {@code file:line: reason}, or the
 * {@link BrokerConfig} it describes. What {@code shmbus broker --check-config FILE} prints and what a starting
 * broker refuses are the same list. Immutable.
 */
public final class ConfigCheck
{
    private final String source;
    private final List<String> errors;
    private final int settingCount;
    private final int topicCount;
    private final BrokerConfig config;

    ConfigCheck(
        final String source,
        final List<String> errors,
        final int settingCount,
        final int topicCount,
        final BrokerConfig config)
    {
        this.source = source;
        this.errors = List.copyOf(errors);
        this.settingCount = settingCount;
        this.topicCount = topicCount;
        this.config = config;
    }

    /**
     * Reads and checks a config file.
     *
     * @throws ConfigurationException when the file cannot be read at all (missing, not UTF-8 text).
     */
    public static ConfigCheck of(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigurationException("config file " + file + " does not exist");
        }
        catch (final CharacterCodingException ex)
        {
            throw new ConfigurationException("config file " + file + " is not UTF-8 text");
        }
        catch (final IOException ex)
        {
            throw new ConfigurationException("cannot read config file " + file + ": " + ex.getMessage());
        }
        return of(file.toString(), lines);
    }

    /** Checks the lines of a config file; {@code source} names it in the messages. */
    public static ConfigCheck of(final String source, final List<String> lines)
    {
        return ConfigFileParser.parse(source, lines);
    }

    public boolean isOk()
    {
        return errors.isEmpty();
    }

    /** Every mistake, in the order of the lines, each {@code file:line: reason}. */
    public List<String> errors()
    {
        return errors;
    }

    /** The number of {@code key = value} lines. */
    public int settingCount()
    {
        return settingCount;
    }

    /** The number of {@code [topic NAME]} sections. */
    public int topicCount()
    {
        return topicCount;
    }

    /** {@code FILE: ok, N settings, M topics}. */
    public String summary()
    {
        return source + ": ok, " + settingCount + (1 == settingCount ? " setting, " : " settings, ") + topicCount +
            (1 == topicCount ? " topic" : " topics");
    }

    /**
     * @throws ConfigurationException listing every mistake, one {@code file:line: reason} a line, when there are any.
     */
    public BrokerConfig config()
    {
        if (!errors.isEmpty())
        {
            throw new ConfigurationException(String.join(System.lineSeparator(), errors));
        }
        return config;
    }
}
