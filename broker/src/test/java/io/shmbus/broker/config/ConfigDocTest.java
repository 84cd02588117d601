package io.shmbus.broker.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.*;

/**
 * docs/configuration.md lists every setting as the code's table has it: the page's generated tables are exactly
 * what {@link ConfigDoc} writes now.
 */
@Timeout(10)
class ConfigDocTest
{
    /** The page, found from the module directory the tests run in or from the project root. */
    private static Path page()
    {
        final Path fromModule = Paths.get("..", "docs", "configuration.md");
        return Files.exists(fromModule) ? fromModule : Paths.get("docs", "configuration.md");
    }

    @Test
    void thePageListsTheSettingsAsTheCodeHasThem() throws IOException
    {
        final String page = Files.readString(page(), StandardCharsets.UTF_8);
        assertEquals(ConfigDoc.render(page), page,
            "docs/configuration.md and the settings table in the code disagree: run " +
            ConfigDoc.REGENERATE_COMMAND + " (and commit the page)");
    }

    @Test
    void everySettingHasARowWithItsDefaultUnitAndRange()
    {
        final String broker = ConfigDoc.brokerTable();
        for (final Setting<?> setting : BrokerSettings.ALL)
        {
            final String name = null != setting.key() ? "| `" + setting.key() + "` |" : "`" + setting.property() + "`";
            final String row = broker.lines().filter(line -> line.contains(name)).findFirst().orElseThrow(
                () -> new AssertionError(setting + " has no row"));
            assertTrue(row.contains(setting.defaultText().replace("|", "\\|")), row);
            assertTrue(row.contains(setting.type().range()), row);
            assertTrue(row.contains(setting.unit()), row);
        }
        assertTrue(broker.contains("| `metrics.port` | `--metrics-port PORT` | `shmbus.broker.metrics.port` | port | " +
            "none: no metrics server |  | 0 to 65535 |"), broker);
        final String topic = ConfigDoc.topicTable();
        for (final Setting<?> setting : TopicSettings.ALL)
        {
            assertTrue(topic.contains("| `" + setting.key() + "` |"), setting.key());
        }
        assertTrue(topic.contains("| `capacity` | size | `4m` | bytes | a power of two from 64k to 1g |"), topic);
    }

    @Test
    void aStalePageIsRewrittenBetweenItsMarkersOnly()
    {
        final String stale = "# intro\n\n" + ConfigDoc.BROKER_BEGIN + "\n| old | table |\n" + ConfigDoc.BROKER_END +
            "\n\nprose in between\n" + ConfigDoc.TOPIC_BEGIN + "\n" + ConfigDoc.TOPIC_END + "\n" +
            ConfigDoc.MIRROR_BEGIN + "\n" + ConfigDoc.MIRROR_END + "\nthe end\n";
        final String fresh = ConfigDoc.render(stale);
        assertNotEquals(stale, fresh);
        assertEquals(fresh, ConfigDoc.render(fresh), "rendering twice changes nothing");
        assertTrue(fresh.startsWith("# intro\n\n" + ConfigDoc.BROKER_BEGIN + "\n| config key |"), fresh);
        assertTrue(fresh.contains(ConfigDoc.BROKER_END + "\n\nprose in between\n" + ConfigDoc.TOPIC_BEGIN), fresh);
        assertTrue(fresh.contains(ConfigDoc.TOPIC_END + "\n" + ConfigDoc.MIRROR_BEGIN), fresh);
        assertTrue(fresh.endsWith(ConfigDoc.MIRROR_END + "\nthe end\n"), fresh);
        assertFalse(fresh.contains("| old | table |"), fresh);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ConfigDoc.render("# no markers\n"));
        assertTrue(ex.getMessage().contains("marker comments"), ex.getMessage());
    }
}
