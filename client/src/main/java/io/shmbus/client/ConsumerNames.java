package io.shmbus.client;

/**
 * Rules for the name of a durable named consumer: 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ -}.
 * The broker keeps one stored position per topic and name. Stateless and thread-safe.
 */
public final class ConsumerNames
{
    public static final int MAX_LENGTH = 64;

    private ConsumerNames()
    {
    }

    /**
     * @return the name, when valid.
     * @throws ConfigurationException saying what is wrong with it.
     */
    public static String validate(final String name)
    {
        if (null == name || name.isEmpty())
        {
            throw new ConfigurationException("consumer name must not be empty");
        }
        if (name.length() > MAX_LENGTH)
        {
            throw new ConfigurationException(
                "consumer name is " + name.length() + " characters, the limit is " + MAX_LENGTH);
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
            if (!ok)
            {
                throw new ConfigurationException("invalid consumer name '" + name + "': character " + (i + 1) +
                    " is not one of A-Z a-z 0-9 . _ -");
            }
        }
        return name;
    }
}
