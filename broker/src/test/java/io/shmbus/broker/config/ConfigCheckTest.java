package io.shmbus.broker.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A config file is checked against the settings tables: every mistake, each as {@code file:line: reason}, in the
 * order of the lines; a sound file gives the values it says.
 */
@Timeout(10)
class ConfigCheckTest
{
    private static ConfigCheck check(final String text)
    {
        return ConfigCheck.of("broker.conf", text.lines().toList());
    }

    /** The single error of a file, checked to name the file and the line. */
    private static String onlyError(final String text, final int line)
    {
        final List<String> errors = check(text).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("broker.conf:" + line + ": "), errors.get(0));
        return errors.get(0);
    }

    @Test
    void aSoundFileGivesItsValuesAndCounts()
    {
        final ConfigCheck check = check("# broker\ndir = /dev/shm/x\nnet.port = 0\nnet.bind = 0.0.0.0\n" +
            "metrics.port = 9464\nmetrics.bind = ::1\nlog.format = JSON\nclient.liveness.timeout = 2s\n\n" +
            "[topic.defaults]\ncapacity = 128k\n[topic orders]   # a comment\ncapacity = 1m\n" +
            "max.message.length = 64k\npersistent = no\ndurability = 20ms\nretention.bytes = 10g\n" +
            "retention.age = 7d\nslow.consumer = archive\nslow.consumer.detach.timeout = 250ms\n[topic b]\n");
        assertTrue(check.isOk(), check.errors().toString());
        assertEquals(16, check.settingCount());
        assertEquals(2, check.topicCount());
        assertEquals("broker.conf: ok, 16 settings, 2 topics", check.summary());
        final BrokerConfig config = check.config();
        assertEquals(Path.of("/dev/shm/x"), config.value(BrokerSettings.DIR));
        assertEquals(9464, config.value(BrokerSettings.METRICS_PORT));
        assertEquals("::1", config.value(BrokerSettings.METRICS_BIND));
        assertEquals(LogFormat.JSON, config.value(BrokerSettings.LOG_FORMAT));
        assertEquals(TimeUnit.SECONDS.toNanos(2), config.value(BrokerSettings.CLIENT_LIVENESS_TIMEOUT));
        assertEquals("0.0.0.0", config.brokerSetting("net.bind"));
        final TopicConfig orders = config.topic("orders");
        assertEquals(1 << 20, orders.capacity());
        assertEquals(64 * 1024, orders.maxMessageLength());
        assertFalse(orders.persistent());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), orders.durability());
        assertEquals(10L << 30, orders.retentionBytes());
        assertEquals(TimeUnit.DAYS.toNanos(7), orders.retentionAgeNs());
        assertTrue(orders.slowConsumerToArchive());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), orders.slowConsumerDetachTimeoutNs());
        assertEquals(128 * 1024, config.topic("b").capacity(), "[topic.defaults] applies to a section");
        assertEquals(128 * 1024, config.topic("unconfigured").capacity());
        assertEquals(128 * 1024 / 8 - 32, config.topic("b").maxMessageLength());
        assertEquals(List.of("orders", "b"), List.copyOf(config.configuredTopics().keySet()));
    }

    @Test
    void unsetValuesComeFromTheDefaults()
    {
        final BrokerConfig config = check("").config();
        assertNull(config.value(BrokerSettings.METRICS_PORT), "no metrics server unless a port is set");
        assertEquals("127.0.0.1", config.value(BrokerSettings.METRICS_BIND));
        assertEquals(LogFormat.TEXT, config.value(BrokerSettings.LOG_FORMAT));
        final TopicConfig topic = config.topic("t");
        assertEquals(4 << 20, topic.capacity());
        assertTrue(topic.persistent());
        assertEquals(TopicConfig.DURABILITY_SEGMENT, topic.durability());
        assertFalse(topic.slowConsumerToArchive());
        assertEquals(TimeUnit.SECONDS.toNanos(1), topic.slowConsumerDetachTimeoutNs());
    }

    @Test
    void everySpellingOfDurationsAndSizesIsAccepted()
    {
        final String[][] durations = { { "500ms", "500000000" }, { "10s", "10000000000" }, { "5m", "300000000000" },
            { "2h", "7200000000000" }, { "7d", "604800000000000" }, { "250", "250000000" }, { "10us", "10000" },
            { "100ns", "100" }, { " 3 S ", "3000000000" } };
        for (final String[] d : durations)
        {
            final BrokerConfig config = check("[topic t]\nslow.consumer.detach.timeout = " + d[0] + "\n").config();
            assertEquals(Long.parseLong(d[1]), config.topic("t").slowConsumerDetachTimeoutNs(), d[0]);
        }
        final String[][] sizes = { { "65536", "65536" }, { "64k", "65536" }, { "64kb", "65536" },
            { "64KiB", "65536" }, { "4m", "4194304" }, { "1g", "1073741824" } };
        for (final String[] s : sizes)
        {
            final BrokerConfig config = check("segment.length = " + s[0] + "\n").config();
            assertEquals(Long.parseLong(s[1]), config.value(BrokerSettings.SEGMENT_LENGTH), s[0]);
        }
        assertEquals(TopicConfig.DURABILITY_NONE, check("[topic t]\ndurability = NONE\n").config().topic("t")
            .durability());
        assertTrue(check("[topic t]\npersistent = yes\n").config().topic("t").persistent());
    }

    @Test
    void anUnknownKeyGetsTheClosestKnownOne()
    {
        assertEquals("broker.conf:2: unknown setting 'net.prot' (did you mean 'net.port'?)",
            onlyError("dir = /x\nnet.prot = 7\n", 2));
        assertEquals("broker.conf:2: unknown topic setting 'capasity' (did you mean 'capacity'?)",
            onlyError("[topic t]\ncapasity = 64k\n", 2));
        assertTrue(onlyError("metrics_port = 1\n", 1).contains("did you mean 'metrics.port'?"));
        assertTrue(onlyError("client.timeout = 1s\n", 1).contains("did you mean 'client.liveness.timeout'?"),
            "the flag's spelling (--client-timeout) finds the key");
        assertTrue(onlyError("shmbus.broker.net.port = 1\n", 1).contains("did you mean 'net.port'?"),
            "the property's spelling finds the key");
        final String far = onlyError("colour = blue\n", 1);
        assertTrue(far.contains("unknown setting 'colour' (known: dir, data.dir, segment.length") &&
            far.contains("log.format"), far);
        assertFalse(far.contains("did you mean"), far);
    }

    @Test
    void aKeyInTheWrongSectionSaysWhereItGoes()
    {
        assertTrue(onlyError("capacity = 64k\n", 1).contains(
            "'capacity' is a topic setting: it goes in a [topic.defaults] or [topic NAME] section"));
        assertTrue(onlyError("[topic.defaults]\nnet.port = 1\n", 2).contains(
            "'net.port' is a broker setting: it goes before the first section"));
    }

    @Test
    void valuesOfTheWrongTypeOrOutOfRange()
    {
        assertEquals("broker.conf:1: net.port must be 0 to 65535: '70000'", onlyError("net.port = 70000\n", 1));
        assertTrue(onlyError("metrics.port = seven\n", 1).contains("metrics.port needs a whole number, 0 to 65535"));
        assertTrue(onlyError("metrics.port = -1\n", 1).contains("metrics.port must be 0 to 65535: '-1'"));
        assertTrue(onlyError("metrics.bind = my host\n", 1).contains(
            "metrics.bind must be an IP address or a host name: 'my host'"));
        assertTrue(onlyError("net.bind = 300.1.1.1\n", 1).contains("net.bind must be an IP address"));
        assertTrue(onlyError("log.format = xml\n", 1).contains("log.format must be text or json: 'xml'"));
        assertTrue(onlyError("segment.length = 3m\n", 1).contains(
            "segment.length must be a power of two from 64k to 1g: '3m'"));
        assertTrue(onlyError("unblock.timeout = 50ms\n", 1).contains("unblock.timeout must be at least 100ms"));
        assertTrue(onlyError("net.handshake.timeout = soon\n", 1).contains("net.handshake.timeout must be a duration"));
        assertTrue(onlyError("net.max.connections = 0\n", 1).contains("must be 1 to 1000000"));
        final String token = onlyError("net.auth.token = " + "s".repeat(1025) + "\n", 1);
        assertTrue(token.contains("at most 1024 bytes") && !token.contains("sss"), "a secret is not shown: " + token);
        assertTrue(onlyError("[topic t]\ncapacity = 1000\n", 2).contains("capacity must be a power of two"));
        assertTrue(onlyError("[topic t]\npersistent = maybe\n", 2).contains("persistent must be true or false"));
        assertTrue(onlyError("[topic t]\ndurability = 0ms\n", 2).contains(
            "durability must be none, segment, or an fsync interval"));
        assertTrue(onlyError("[topic t]\nslow.consumer = drop\n", 2).contains(
            "slow.consumer must be hold or archive: 'drop'"));
        assertTrue(onlyError("[topic t]\nretention.bytes = lots\n", 2).contains("retention.bytes must be a size"));
    }

    @Test
    void keysAndSectionsGivenTwice()
    {
        assertEquals("broker.conf:3: 'net.port' is set twice (first at line 1)",
            onlyError("net.port = 1\ndir = /x\nnet.port = 2\n", 3));
        assertEquals("broker.conf:4: 'capacity' is set twice in [topic t] (first at line 2)",
            onlyError("[topic t]\ncapacity = 64k\n\ncapacity = 128k\n", 4));
        assertEquals("broker.conf:3: topic 't' is configured twice (first at line 1)",
            onlyError("[topic t]\ncapacity = 64k\n[topic t]\ncapacity = 64k\n", 3));
        assertTrue(onlyError("[topic.defaults]\n[topic.defaults]\n", 2).contains(
            "[topic.defaults] appears twice (first at line 1)"));
    }

    @Test
    void badSectionHeaders()
    {
        assertTrue(onlyError("[topic t\n", 1).contains("section header must end with ']'"));
        assertTrue(onlyError("[topics t]\n", 1).contains(
            "unknown section [topics t] (expected [topic.defaults], [topic NAME] or [mirror NAME])"));
        assertTrue(onlyError("[topic]\n", 1).contains("section [topic] needs a topic name"));
        assertTrue(onlyError("[topic a/b]\n", 1).contains("bad section header [topic a/b]: invalid topic name"));
        assertEquals(2, check("[topic a/b]\ncapasity = 1m\n").errors().size(),
            "the settings of a topic with a bad name are still checked");
    }

    @Test
    void linesThatAreNotSettings()
    {
        assertEquals("broker.conf:1: expected 'key = value', got 'dir /x'", onlyError("dir /x\n", 1));
        assertEquals("broker.conf:2: 'dir' has no value", onlyError("\ndir =   # nothing\n", 2));
    }

    @Test
    void aMessageLongerThanTheRingAllowsIsReportedAtItsLine()
    {
        final String error = onlyError("[topic t]\ncapacity = 64k\nmax.message.length = 32k\n", 3);
        assertTrue(error.contains("[topic t]: max message length must be between 1 and capacity/4"), error);
        final String inherited = onlyError("[topic.defaults]\ncapacity = 64k\n[topic t]\nmax.message.length = 20k\n",
            4);
        assertTrue(inherited.contains("[topic t]"), inherited);
    }

    @Test
    void everyMistakeIsReportedInTheOrderOfTheLines()
    {
        final ConfigCheck check = check("net.prot = 7\n" +
            "segment.length = 3m\n" +
            "log.format = xml\n" +
            "[topic t]\n" +
            "capacity = 64k\n" +
            "max.message.length = 32k\n" +
            "capacity = 64k\n" +
            "[nonsense]\n" +
            "whatever = 1\n" +
            "[topic u]\n" +
            "slow.consumer = drop\n");
        final List<String> errors = check.errors();
        assertFalse(check.isOk());
        assertEquals(7, errors.size(), String.join("\n", errors));
        final int[] lines = { 1, 2, 3, 6, 7, 8, 11 };
        for (int i = 0; i < lines.length; i++)
        {
            assertTrue(errors.get(i).startsWith("broker.conf:" + lines[i] + ": "), errors.get(i));
        }
        final io.shmbus.client.ConfigurationException ex =
            assertThrows(io.shmbus.client.ConfigurationException.class, check::config);
        assertEquals(String.join(System.lineSeparator(), errors), ex.getMessage(), "the broker refuses with all");
    }
}
