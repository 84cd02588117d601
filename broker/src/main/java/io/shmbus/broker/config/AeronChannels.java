package io.shmbus.broker.config;

import io.aeron.ChannelUri;
import io.shmbus.client.ConfigurationException;

/**
 * The check of an Aeron channel a mirror sends or receives on: a UDP channel URI that {@link ChannelUri} parses,
 * with an {@code endpoint} (unicast or multicast) or a {@code control} address (multi-destination-cast), each
 * {@code HOST:PORT} with a port from 1 to 65535. The media driver checks the rest when the channel is used.
 * Stateless; any thread.
 */
public final class AeronChannels
{
    /** The allowed values in words, for the configuration page and the messages. */
    public static final String RANGE = "an Aeron UDP channel URI, aeron:udp?endpoint=HOST:PORT (unicast or multicast)" +
        " or aeron:udp?control=HOST:PORT|control-mode=dynamic";

    /** A config value that is an Aeron UDP channel, checked by {@link #checkUdp}. */
    public static final ValueType<String> UDP_CHANNEL = ValueType.of(SettingType.STRING, RANGE, "CHANNEL",
        AeronChannels::checkUdp, v -> true, v -> v);

    private AeronChannels()
    {
    }

    /**
     * @param what names the setting in the message.
     * @return the channel, trimmed.
     * @throws ConfigurationException saying what is wrong with it.
     */
    public static String checkUdp(final String what, final String text)
    {
        final String channel = text.trim();
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigurationException(what + " is not an Aeron channel URI (" + ex.getMessage() +
                "); expected aeron:udp?endpoint=HOST:PORT: '" + text + "'");
        }
        if (!"udp".equals(uri.media()))
        {
            throw new ConfigurationException(what + " must be an Aeron UDP channel (aeron:udp?...), not aeron:" +
                uri.media() + ": '" + text + "'");
        }
        final String endpoint = uri.get("endpoint");
        final String control = uri.get("control");
        if (null == endpoint && null == control)
        {
            throw new ConfigurationException(what + " needs an endpoint (aeron:udp?endpoint=HOST:PORT) or a " +
                "control address: '" + text + "'");
        }
        checkAddress(what, "endpoint", endpoint, text);
        checkAddress(what, "control", control, text);
        return channel;
    }

    /**
     * What makes two mirrors' streams the same one to a media driver: the addresses of the channel (a sound one, as
     * {@link #checkUdp} passed it) and the stream id.
     */
    public static String streamKey(final String channel, final int streamId)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        return uri.get("endpoint") + "|" + uri.get("control") + "|" + uri.get("interface") + "|" + streamId;
    }

    private static void checkAddress(final String what, final String key, final String address, final String text)
    {
        if (null == address)
        {
            return;
        }
        final int colon = address.lastIndexOf(':');
        final int port = colon > 0 && !address.endsWith("]") ? port(address.substring(colon + 1)) : -1;
        if (port < 1 || port > 65535)
        {
            throw new ConfigurationException(what + ": " + key + " must be HOST:PORT with a port from 1 to 65535, " +
                "got '" + address + "': '" + text + "'");
        }
    }

    private static int port(final String digits)
    {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit))
        {
            return -1;
        }
        return Integer.parseInt(digits);
    }
}
