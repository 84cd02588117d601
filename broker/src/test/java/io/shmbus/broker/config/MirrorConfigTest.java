package io.shmbus.broker.config;

import io.shmbus.broker.mirror.MirrorStreamIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code [mirror NAME]} sections: the mirror's own keys, the topic keys it takes, and every mistake the check
 * reports as {@code file:line: reason}.
 */
@Timeout(30)
class MirrorConfigTest
{
    private static final String CHANNEL = "channel = aeron:udp?endpoint=127.0.0.1:40456\n";
    private static final String SOURCE = "source = 127.0.0.1:7070\n";

    private static ConfigCheck check(final String text)
    {
        return ConfigCheck.of("broker.conf", text.lines().toList());
    }

    private static String onlyError(final String text, final int line)
    {
        final List<String> errors = check(text).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("broker.conf:" + line + ": "), errors.get(0));
        return errors.get(0);
    }

    @Test
    void aSoundMirrorGivesItsSettingsAndATopicThatIsAlwaysPersistent()
    {
        final ConfigCheck check = check("[topic.defaults]\npersistent = false\ncapacity = 128k\n" +
            "[mirror prices]\n" + CHANNEL + SOURCE + "stream.id = 77\ntoken = s3cret\ncapacity = 1m\n" +
            "retention.bytes = 1g\n[mirror quotes]\n" + CHANNEL + "source = localhost:7070\n");
        assertTrue(check.isOk(), check.errors().toString());
        assertEquals(2, check.topicCount());
        final MirrorConfig prices = check.config().mirror("prices");
        assertEquals("aeron:udp?endpoint=127.0.0.1:40456", prices.channel());
        assertEquals("127.0.0.1", prices.sourceHost());
        assertEquals(7070, prices.sourcePort());
        assertEquals(77, prices.streamId());
        assertEquals("s3cret", prices.token());
        assertEquals("broker.conf:4", prices.configLine());
        assertEquals(1 << 20, check.config().topic("prices").capacity());
        assertTrue(check.config().topic("prices").persistent(), "a mirror is persistent whatever the defaults say");
        assertEquals(1L << 30, check.config().topic("prices").retentionBytes());
        final MirrorConfig quotes = check.config().mirror("quotes");
        assertEquals(MirrorStreamIds.defaultStreamId("quotes"), quotes.streamId());
        assertNull(quotes.token());
        assertEquals(128 * 1024, check.config().topic("quotes").capacity(), "the defaults apply");
        assertNull(check.config().mirror("other"));
        assertFalse(check.config().configuredTopics().containsKey("prices"));
    }

    @Test
    void theConfigurationPageListsEveryMirrorSetting() throws java.io.IOException
    {
        final String page = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/configuration.md"));
        final String table = page.substring(page.indexOf(ConfigDoc.MIRROR_BEGIN), page.indexOf(ConfigDoc.MIRROR_END));
        for (final Setting<?> setting : MirrorSettings.ALL)
        {
            assertTrue(table.contains("| `" + setting.key() + "` | "), setting.key());
        }
    }

    @Test
    void theDefaultStreamIdIsTheCrc32cOfTheName()
    {
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update("prices".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals((int)crc.getValue() & 0x7FFFFFFF, MirrorStreamIds.defaultStreamId("prices"));
        assertTrue(MirrorStreamIds.defaultStreamId("prices") > 0);
    }

    @Test
    void aChannelThatIsNotAnAeronUdpUriIsAnError()
    {
        assertTrue(onlyError("[mirror p]\nchannel = udp://127.0.0.1:40456\n" + SOURCE, 2)
            .contains("channel is not an Aeron channel URI ('udp://127.0.0.1:40456')"));
        assertTrue(onlyError("[mirror p]\n" + SOURCE + "channel = aeron:ipc\n", 3)
            .contains("channel must be an Aeron UDP channel"));
    }

    @Test
    void anUnknownOrMalformedSourceIsAnError()
    {
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + "source = no-such-host.invalid:7070\n", 3)
            .contains("unknown host 'no-such-host.invalid'"));
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + "source = 127.0.0.1\n", 3)
            .contains("source must be HOST:PORT"));
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + "source = 127.0.0.1:99999\n", 3)
            .contains("source must be HOST:PORT"));
    }

    @Test
    void channelAndSourceAreRequired()
    {
        final List<String> errors = check("\n[mirror p]\ncapacity = 1m\n").errors();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("broker.conf:2: [mirror p] needs 'channel = aeron:udp?...'"),
            errors.get(0));
        assertTrue(errors.get(1).startsWith("broker.conf:2: [mirror p] needs 'source = HOST:PORT'"), errors.get(1));
    }

    @Test
    void aMirrorIsNeverNotPersistent()
    {
        assertEquals("broker.conf:4: 'persistent = false' in [mirror p]: a mirror is always persistent (its " +
            "archive is a copy of the source's)",
            onlyError("[mirror p]\n" + CHANNEL + SOURCE + "persistent = no\n", 4));
        assertTrue(check("[mirror p]\n" + CHANNEL + SOURCE + "persistent = true\n").isOk());
    }

    @Test
    void aTopicThatIsBothProducedHereAndAMirrorIsAnErrorNamingBothLines()
    {
        final String error = onlyError("[topic p]\ncapacity = 1m\n[mirror p]\n" + CHANNEL + SOURCE, 3);
        assertTrue(error.contains("[mirror p]: topic 'p' is also configured as [topic p] at line 1"), error);
    }

    @Test
    void unknownKeysTwiceSetKeysAndTwiceConfiguredMirrorsAreErrors()
    {
        assertEquals("broker.conf:2: unknown mirror setting 'chanel' (did you mean 'channel'?)",
            onlyError("[mirror p]\nchanel = x\n" + CHANNEL + SOURCE, 2));
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + SOURCE + CHANNEL, 4).contains("'channel' is set twice"));
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + SOURCE + "[mirror p]\n" + CHANNEL + SOURCE, 4)
            .contains("mirror 'p' is configured twice (first at line 1)"));
        assertTrue(onlyError("[mirror]\n", 1).contains("[mirror NAME]"));
        assertTrue(onlyError("[mirror a/b]\n" + CHANNEL + SOURCE, 1).contains("bad section header [mirror a/b]"));
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + SOURCE + "stream.id = many\n", 4).contains("stream.id"));
    }

    @Test
    void theTopicSettingsOfAMirrorAreCheckedAsATopicsAre()
    {
        assertTrue(onlyError("[mirror p]\n" + CHANNEL + SOURCE + "capacity = 64k\nmax.message.length = 1m\n", 5)
            .contains("[mirror p]"));
    }
}
