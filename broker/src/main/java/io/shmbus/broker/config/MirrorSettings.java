package io.shmbus.broker.config;

import io.aeron.ChannelUri;
import io.shmbus.client.ConfigurationException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The table of a {@code [mirror NAME]} section's own settings: where the mirrored topic comes from. The section
 * also takes the topic settings of {@link TopicSettings} (but a mirror is always persistent). Immutable.
 */
public final class MirrorSettings
{
    public static final Setting<String> CHANNEL = Setting.of("channel", ValueType.of(SettingType.STRING,
        "an Aeron UDP channel URI, aeron:udp?endpoint=HOST:PORT (unicast, or a multicast group)", "aeron:udp?...",
        MirrorSettings::parseChannel, v -> true, v -> v),
        "the Aeron channel the source broker sends the topic's live frames on (required)");

    public static final Setting<String> SOURCE = Setting.of("source", ValueType.of(SettingType.ADDRESS,
        "HOST:PORT of the source broker's network server", "HOST:PORT", MirrorSettings::parseSource, v -> true,
        v -> v), "the source broker's network server, for catch-up from its archive over TCP (required)");

    public static final Setting<Integer> STREAM_ID = Setting.of("stream.id",
        ValueType.integer(Integer.MIN_VALUE, Integer.MAX_VALUE), "the Aeron stream id of the live frames")
        .noDefault("derived from the topic name, as the source's");

    public static final Setting<String> TOKEN = Setting.of("token",
        ValueType.secret(BrokerSettings.MAX_AUTH_TOKEN_BYTES), "the source broker's net.auth.token, if it has one")
        .noDefault("none");

    /** Every mirror setting, in the order of the docs. */
    public static final List<Setting<?>> ALL = List.of(CHANNEL, SOURCE, STREAM_ID, TOKEN);

    private MirrorSettings()
    {
    }

    /** The mirror setting with this config key, or null. */
    public static Setting<?> byKey(final String key)
    {
        return DidYouMean.byKey(ALL, key);
    }

    /** An Aeron channel URI of media {@code udp}, as {@link ChannelUri#parse} reads it. */
    static String parseChannel(final String what, final String text)
    {
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(text);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigurationException(what + " is not an Aeron channel URI ('" + text + "'): " +
                ex.getMessage() + "; expected aeron:udp?endpoint=HOST:PORT");
        }
        if (!"udp".equals(uri.media()))
        {
            throw new ConfigurationException(what + " must be an Aeron UDP channel (aeron:udp?endpoint=HOST:PORT), " +
                "not media '" + uri.media() + "': '" + text + "'");
        }
        return text;
    }

    /** HOST:PORT whose host resolves now: a mirror whose source has no address cannot catch up. */
    static String parseSource(final String what, final String text)
    {
        final int colon = text.lastIndexOf(':');
        final String host = colon > 0 ? text.substring(0, colon) : "";
        final int port;
        try
        {
            port = colon > 0 ? Integer.parseInt(text.substring(colon + 1)) : -1;
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(what + " must be HOST:PORT with a port from 1 to 65535: '" + text + "'");
        }
        if (host.isEmpty() || port < 1 || port > 65535)
        {
            throw new ConfigurationException(what + " must be HOST:PORT with a port from 1 to 65535: '" + text + "'");
        }
        try
        {
            InetAddress.getByName(hostOf(text));
        }
        catch (final UnknownHostException ex)
        {
            throw new ConfigurationException(what + ": unknown host '" + hostOf(text) + "' in '" + text + "'");
        }
        return text;
    }

    /** The host of a checked HOST:PORT, without the brackets of an IPv6 literal. */
    static String hostOf(final String source)
    {
        final String host = source.substring(0, source.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port of a checked HOST:PORT. */
    static int portOf(final String source)
    {
        return Integer.parseInt(source.substring(source.lastIndexOf(':') + 1));
    }
}
