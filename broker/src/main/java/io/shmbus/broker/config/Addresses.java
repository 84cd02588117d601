package io.shmbus.broker.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Tells whether text has the form of an address to listen on: an IPv4 or IPv6 address, or a host name (RFC 1123).
 * Only the form is checked: a config check must not depend on name service, and a name that does not resolve is
 * reported by the start that binds it. Thread-safe (stateless).
 */
final class Addresses
{
    private static final int MAX_HOST_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private Addresses()
    {
    }

    static boolean isAddress(final String text)
    {
        if (text.isEmpty())
        {
            return false;
        }
        if (text.indexOf(':') >= 0)
        {
            return isIpv6(text);
        }
        return isDigitsAndDots(text) ? isIpv4(text) : isHostName(text);
    }

    private static boolean isIpv6(final String text)
    {
        final String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        for (int i = 0; i < literal.length(); i++)
        {
            final char c = literal.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.')
            {
                return false;
            }
        }
        try
        {
            // a text of hex digits, colons and dots is parsed as a literal, never looked up
            InetAddress.getByName("[" + literal + "]");
            return true;
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    private static boolean isDigitsAndDots(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ((c < '0' || c > '9') && c != '.')
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            return false;
        }
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostName(final String text)
    {
        if (text.length() > MAX_HOST_NAME_LENGTH)
        {
            return false;
        }
        final String[] labels = text.split("\\.", -1);
        for (final String label : labels)
        {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH || label.startsWith("-") || label.endsWith("-"))
            {
                return false;
            }
            for (int i = 0; i < label.length(); i++)
            {
                final char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
