package io.shmbus.client;

/**
 * Validation of topic names, which become file names: {@code [A-Za-z0-9._-]{1,128}} without {@code ..}.
 */
public final class TopicNames
{
    public static final int MAX_LENGTH = 128;

    private TopicNames()
    {
    }

    /**
     * @param name to check.
     * @return the name, when valid.
     * @throws InvalidTopicNameException saying what is wrong with it.
     */
    public static String validate(final String name)
    {
        if (null == name || name.isEmpty())
        {
            throw new InvalidTopicNameException("topic name must not be empty");
        }
        if (name.length() > MAX_LENGTH)
        {
            throw new InvalidTopicNameException(
                "topic name is " + name.length() + " characters, the limit is " + MAX_LENGTH);
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
            if (!ok)
            {
                throw new InvalidTopicNameException(
                    "invalid topic name '" + printable(name) + "': character " + (i + 1) +
                    " is not one of A-Z a-z 0-9 . _ -");
            }
        }
        if (name.contains(".."))
        {
            throw new InvalidTopicNameException("invalid topic name '" + name + "': must not contain '..'");
        }
        return name;
    }

    private static String printable(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
