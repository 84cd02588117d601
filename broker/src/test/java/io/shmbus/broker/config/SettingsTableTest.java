package io.shmbus.broker.config;

import io.shmbus.client.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The settings tables are sound: names unique and in the house style, each default an allowed value that reads
 * back as itself, and the value types accept and refuse what their ranges say.
 */
@Timeout(10)
class SettingsTableTest
{
    private static List<Setting<?>> all()
    {
        final List<Setting<?>> all = new ArrayList<>(BrokerSettings.ALL);
        all.addAll(TopicSettings.ALL);
        return all;
    }

    @Test
    void namesAreUniqueAndFollowTheConventions()
    {
        final Set<String> keys = new HashSet<>();
        final Set<String> flags = new HashSet<>();
        final Set<String> properties = new HashSet<>();
        for (final Setting<?> setting : all())
        {
            assertTrue(null != setting.key() || null != setting.property(), "a setting must be settable somehow");
            assertTrue(null == setting.key() || keys.add(setting.key()), "key twice: " + setting.key());
            assertTrue(null == setting.flag() || flags.add(setting.flag()), "flag twice: " + setting.flag());
            assertTrue(null == setting.property() || properties.add(setting.property()), "property twice");
            assertTrue(null == setting.key() || setting.key().matches("[a-z]+(\\.[a-z]+)*"), setting.key());
            assertTrue(null == setting.flag() || setting.flag().matches("--[a-z]+(-[a-z]+)*"), setting.flag());
            assertTrue(null == setting.property() || setting.property().startsWith("shmbus."), setting.property());
            assertFalse(setting.description().isBlank(), setting + " needs a description");
            assertFalse(setting.type().range().isBlank(), setting + " needs a range");
        }
        assertSame(BrokerSettings.METRICS_PORT, BrokerSettings.byKey("metrics.port"));
        assertSame(TopicSettings.CAPACITY, TopicSettings.byKey("capacity"));
        assertNull(BrokerSettings.byKey("capacity"));
    }

    @Test
    void theNewSettingsAreNamedAsAgreed()
    {
        assertEquals("--metrics-port", BrokerSettings.METRICS_PORT.flag());
        assertEquals("shmbus.broker.metrics.port", BrokerSettings.METRICS_PORT.property());
        assertEquals("--metrics-bind", BrokerSettings.METRICS_BIND.flag());
        assertEquals("shmbus.broker.metrics.bind", BrokerSettings.METRICS_BIND.property());
        assertEquals("--log-format", BrokerSettings.LOG_FORMAT.flag());
        assertEquals("shmbus.broker.log.format", BrokerSettings.LOG_FORMAT.property());
        assertEquals("text|json", BrokerSettings.LOG_FORMAT.type().metavar());
    }

    @Test
    void everyDefaultIsAnAllowedValueThatReadsBackAsItself()
    {
        for (final Setting<?> setting : all())
        {
            roundTrip(setting);
        }
    }

    private static <T> void roundTrip(final Setting<T> setting)
    {
        final T value = setting.defaultValue();
        if (null == value)
        {
            return;
        }
        setting.check(value);
        assertEquals(value, setting.parse(setting.name(), setting.type().format(value)), setting.name());
    }

    @Test
    void durationsAndSizesAreWrittenInTheirLargestExactUnit()
    {
        assertEquals("5s", Durations.format(TimeUnit.SECONDS.toNanos(5)));
        assertEquals("1500ms", Durations.format(TimeUnit.MILLISECONDS.toNanos(1500)));
        assertEquals("2h", Durations.format(TimeUnit.MINUTES.toNanos(120)));
        assertEquals("7d", Durations.format(TimeUnit.DAYS.toNanos(7)));
        assertEquals("3us", Durations.format(3000));
        assertEquals("7ns", Durations.format(7));
        assertEquals("0", Durations.format(0));
        assertEquals("128m", ValueType.formatSize(128L << 20));
        assertEquals("1g", ValueType.formatSize(1L << 30));
        assertEquals("1536k", ValueType.formatSize(1536 * 1024));
        assertEquals("1000", ValueType.formatSize(1000));
    }

    @Test
    void addressesAreCheckedByTheirFormOnly()
    {
        for (final String ok : new String[]{ "127.0.0.1", "0.0.0.0", "::", "::1", "[::1]", "fe80::1",
            "::ffff:10.0.0.1", "localhost", "broker-1.example.org", "a" })
        {
            assertEquals(ok, ValueType.address().parse("bind", ok), ok);
        }
        for (final String bad : new String[]{ "256.0.0.1", "1.2.3", "1.2.3.4.5", "my host", "-host", "host-",
            "a..b", "1:2:3:4:5:6:7:8:9", "12345::zz", "x_y", "", "h:80" })
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class,
                () -> ValueType.address().parse("bind", bad), bad);
            assertTrue(ex.getMessage().startsWith("bind must be an IP address or a host name"), ex.getMessage());
        }
    }

    @Test
    void aValueGivenInCodeIsCheckedAgainstTheSameRange()
    {
        assertEquals(0, BrokerSettings.METRICS_PORT.check(0));
        final ConfigurationException port = assertThrows(ConfigurationException.class,
            () -> BrokerSettings.METRICS_PORT.check(70000));
        assertEquals("metrics.port must be 0 to 65535: 70000", port.getMessage());
        final ConfigurationException timeout = assertThrows(ConfigurationException.class,
            () -> BrokerSettings.UNBLOCK_TIMEOUT.check(TimeUnit.MILLISECONDS.toNanos(50)));
        assertEquals("unblock.timeout must be at least 100ms: 50ms", timeout.getMessage());
        final ConfigurationException length = assertThrows(ConfigurationException.class,
            () -> BrokerSettings.SEGMENT_LENGTH.check(96L * 1024));
        assertEquals("segment.length must be a power of two from 64k to 1g: 96k", length.getMessage());
    }

    @Test
    void editDistanceCountsASwapAsOneEdit()
    {
        assertEquals(0, DidYouMean.distance("capacity", "capacity"));
        assertEquals(1, DidYouMean.distance("capasity", "capacity"));
        assertEquals(1, DidYouMean.distance("capactiy", "capacity"), "a swap of neighbours");
        assertEquals(1, DidYouMean.distance("net_port", "net.port"));
        assertEquals(3, DidYouMean.distance("", "dir"));
        assertNull(DidYouMean.closestKey(BrokerSettings.ALL, "colour"));
        assertEquals("retention.age", DidYouMean.closestKey(TopicSettings.ALL, "retention.agee"));
    }
}
