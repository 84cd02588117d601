package io.shmbus.broker.config;

import io.shmbus.broker.mirror.MirrorStreamIds;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mirror-out settings in a config file: {@code mirror.channel} is an Aeron UDP channel and {@code
 * mirror.stream.id} a positive int, each mistake {@code file:line: reason}; a mirrored topic is named, persistent,
 * and alone on its stream.
 */
class MirrorOutConfigTest
{
    private static final String CHANNEL = "aeron:udp?endpoint=127.0.0.1:40456";

    private static List<String> errors(final String... lines)
    {
        return ConfigCheck.of("b.conf", List.of(lines)).errors();
    }

    private static void assertOneError(final String expectedStart, final String expectedPart, final String... lines)
    {
        final List<String> errors = errors(lines);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(expectedStart) && errors.get(0).contains(expectedPart), errors.get(0));
    }

    @Test
    void aMirroredTopicHasItsChannelAndTheDefaultStreamId()
    {
        final BrokerConfig config = BrokerConfig.parse("b.conf", List.of("[topic orders]", "mirror.channel = " +
            CHANNEL, "[topic quotes]", "mirror.channel = aeron:udp?endpoint=224.0.1.1:40456|interface=127.0.0.1",
            "mirror.stream.id = 77", "[topic local]", "capacity = 1m"));
        assertEquals(List.of("orders", "quotes"), List.copyOf(config.mirroredOutTopics().keySet()));
        assertEquals(CHANNEL, config.topic("orders").mirrorChannel());
        assertEquals(MirrorStreamIds.defaultStreamId("orders"), config.topic("orders").mirrorStreamId("orders"));
        assertEquals(77, config.topic("quotes").mirrorStreamId("quotes"));
        assertEquals(null, config.topic("local").mirrorChannel());
    }

    @Test
    void theDefaultStreamIdIsThePositiveCrc32cOfTheName()
    {
        // CRC-32C of "123456789" is the standard check value 0xE3069283
        assertEquals(0x63069283, MirrorStreamIds.defaultStreamId("123456789"));
        assertTrue(MirrorStreamIds.defaultStreamId("orders") > 0);
    }

    @Test
    void aChannelThatIsNotAnAeronUriIsAnErrorAtItsLine()
    {
        assertOneError("b.conf:2: ", "is not an Aeron channel URI", "[topic t]", "mirror.channel = udp://x:1");
    }

    @Test
    void aChannelThatIsNotUdpIsAnError()
    {
        assertOneError("b.conf:3: ", "must be an Aeron UDP channel (aeron:udp?...), not aeron:ipc",
            "[topic t]", "", "mirror.channel = aeron:ipc");
    }

    @Test
    void aChannelNeedsAnEndpointWithAPort()
    {
        assertOneError("b.conf:2: ", "needs an endpoint", "[topic t]", "mirror.channel = aeron:udp?mtu=1408");
        assertOneError("b.conf:2: ", "endpoint must be HOST:PORT", "[topic t]",
            "mirror.channel = aeron:udp?endpoint=localhost");
        assertOneError("b.conf:2: ", "endpoint must be HOST:PORT", "[topic t]",
            "mirror.channel = aeron:udp?endpoint=localhost:70000");
    }

    @Test
    void theStreamIdIsAPositiveInt()
    {
        assertOneError("b.conf:3: ", "must be 1 to 2147483647", "[topic t]", "mirror.channel = " + CHANNEL,
            "mirror.stream.id = 0");
        assertOneError("b.conf:3: ", "needs a whole number", "[topic t]", "mirror.channel = " + CHANNEL,
            "mirror.stream.id = 2147483648");
    }

    @Test
    void aStreamIdWithoutAChannelIsAnError()
    {
        assertOneError("b.conf:2: ", "mirror.stream.id without mirror.channel", "[topic t]", "mirror.stream.id = 5");
    }

    @Test
    void mirroringIsNotATopicDefault()
    {
        assertOneError("b.conf:2: ", "goes in a [topic NAME] section", "[topic.defaults]",
            "mirror.channel = " + CHANNEL);
    }

    @Test
    void aMirroredTopicMustBePersistent()
    {
        assertOneError("b.conf:3: ", "a mirrored topic must be persistent", "[topic t]", "persistent = false",
            "mirror.channel = " + CHANNEL);
        assertOneError("b.conf:4: ", "'persistent = false' at line 2", "[topic.defaults]", "persistent = false",
            "[topic t]", "mirror.channel = " + CHANNEL);
    }

    @Test
    void twoTopicsOnOneStreamIsAnErrorNamingBoth()
    {
        assertOneError("b.conf:5: ", "are those of topic 'a' (line 2)", "[topic a]", "mirror.channel = " + CHANNEL,
            "mirror.stream.id = 9", "[topic b]", "mirror.channel = " + CHANNEL + "|mtu=1408", "mirror.stream.id = 9");
        assertEquals(List.of(), errors("[topic a]", "mirror.channel = " + CHANNEL, "[topic b]",
            "mirror.channel = " + CHANNEL), "two names, two default stream ids");
    }
}
