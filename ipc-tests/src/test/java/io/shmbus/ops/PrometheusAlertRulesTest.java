package io.shmbus.ops;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/prometheus/shmbus-alerts.yml, the alert rules docs/operations.md gives, is valid Prometheus rule syntax
 * ({@code promtool check rules}), fires as its unit tests say ({@code promtool test rules}, with series that cross
 * and stay under each threshold), and uses only metric names the broker exports.
 */
@Timeout(120)
class PrometheusAlertRulesTest
{
    /** The broker's metric names that the rules may use (docs/operations.md lists them all). */
    private static final Set<String> BROKER_METRICS = Set.of(
        "shmbus_topic_tail_position_bytes", "shmbus_topic_producer_limit_position_bytes",
        "shmbus_topic_archived_position_bytes", "shmbus_topic_slowest_consumer_position_bytes",
        "shmbus_topic_lag_bytes", "shmbus_topic_published_messages_total", "shmbus_topic_published_bytes_total",
        "shmbus_topic_claims_unblocked_total", "shmbus_topic_consumers_moved_to_archive_total",
        "shmbus_topic_archive_errors_total", "shmbus_topic_retention_deleted_segments_total", "shmbus_topic_segments",
        "shmbus_topic_disk_bytes", "shmbus_consumer_position_bytes", "shmbus_consumer_lag_bytes", "shmbus_clients",
        "shmbus_commands_total", "shmbus_errors_total", "shmbus_uptime_seconds");

    private static final Path DIR = ProjectFiles.root().resolve("scripts").resolve("prometheus");

    private static Path promtool()
    {
        final Path promtool = ProjectFiles.onPath("promtool");
        Assumptions.assumeTrue(null != promtool, "promtool is not installed, so the alert rules were not checked " +
            "(Debian/Ubuntu: apt-get install prometheus, which .ci/run installs)");
        return promtool;
    }

    @Test
    void theRulesAreValidAndPassTheirUnitTests() throws Exception
    {
        final Path promtool = promtool();
        final ProjectFiles.Run check = ProjectFiles.run(List.of(promtool.toString(), "check", "rules",
            DIR.resolve("shmbus-alerts.yml").toString()));
        assertEquals(0, check.code(), check.output());
        assertTrue(check.output().contains("SUCCESS: 6 rules found"), check.output());
        final ProjectFiles.Run test = ProjectFiles.run(List.of(promtool.toString(), "test", "rules",
            DIR.resolve("shmbus-alerts.test.yml").toString()));
        assertEquals(0, test.code(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }

    @Test
    void theCheckFailsOnABrokenRule() throws Exception
    {
        final Path promtool = promtool();
        final Path broken = Files.createTempFile("shmbus-alerts-", ".yml");
        try
        {
            Files.writeString(broken, Files.readString(DIR.resolve("shmbus-alerts.yml"))
                .replace("> 64 * 1024 * 1024", "> > 64"));
            final ProjectFiles.Run check = ProjectFiles.run(List.of(promtool.toString(), "check", "rules",
                broken.toString()));
            assertNotEquals(0, check.code(), check.output());
        }
        finally
        {
            Files.deleteIfExists(broken);
        }
    }

    @Test
    void theRulesUseOnlyTheBrokersMetricNames() throws Exception
    {
        final Set<String> used = new TreeSet<>();
        final Matcher name = Pattern.compile("\\bshmbus_[a-z_]+").matcher(Files.readString(
            DIR.resolve("shmbus-alerts.yml")).replaceAll("(?m)^\\s*#.*$", ""));
        while (name.find())
        {
            used.add(name.group());
        }
        assertTrue(used.contains("shmbus_consumer_lag_bytes") && used.contains("shmbus_topic_archive_errors_total"),
            used.toString());
        used.removeAll(BROKER_METRICS);
        assertEquals(Set.of(), used, "names the broker does not export");
    }
}
