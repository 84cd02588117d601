package io.shmbus.broker.metrics;

import io.shmbus.broker.status.CounterKey;
import io.shmbus.broker.status.CounterTypes;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The broker's metrics, read from the counters it keeps in the CnC file at each scrape: one walk of the
 * {@link CountersReader}, matching counters by type id and key. Producers, consumers and the broker's agents do
 * nothing for it; lags and the slowest consumer are computed here from the positions.
 * <p>
 * Called on the metrics server's thread; allocates per scrape (that thread is not on any hot path).
 */
final class CncMetricsCollector implements MultiCollector
{
    static final String CONSUMER_POSITION = "shmbus_consumer_position_bytes";
    static final String CONSUMER_LAG = "shmbus_consumer_lag_bytes";
    static final String TOPIC_SLOWEST = "shmbus_topic_slowest_consumer_position_bytes";
    static final String TOPIC_LAG = "shmbus_topic_lag_bytes";
    static final String UPTIME = "shmbus_uptime_seconds";

    private final CountersReader counters;
    private final long startTimestampMs;
    private final LongSupplier epochMs;

    CncMetricsCollector(final CountersReader counters, final long startTimestampMs, final LongSupplier epochMs)
    {
        this.counters = counters;
        this.startTimestampMs = startTimestampMs;
        this.epochMs = epochMs;
    }

    public MetricSnapshots collect()
    {
        final Map<MetricKind, List<Point>> byKind = new EnumMap<>(MetricKind.class);
        final Map<String, Long> tails = new TreeMap<>();
        final List<Consumer> consumers = new ArrayList<>();
        counters.forEach((id, typeId, key, label) ->
        {
            final long value = counters.getCounterValue(id);
            final boolean topicScoped = CounterTypes.isTopicScoped(typeId);
            final String topic = topicScoped ? CounterKey.topic(key, 0, label) : null;
            if (topicScoped && null == topic)
            {
                return; // a key this version cannot read: not ours to guess
            }
            if (CounterTypes.CONSUMER_LOCAL_POSITION == typeId || CounterTypes.CONSUMER_REMOTE_POSITION == typeId)
            {
                final boolean local = CounterTypes.CONSUMER_LOCAL_POSITION == typeId;
                consumers.add(new Consumer(topic, (local ? "slot-" : "net-") + CounterKey.consumerId(key, 0),
                    local ? "local" : "remote", value));
                return;
            }
            if (CounterTypes.TOPIC_TAIL_POSITION == typeId)
            {
                tails.put(topic, value);
            }
            final MetricKind kind = MetricKind.of(typeId);
            if (null != kind)
            {
                byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(
                    new Point(null == topic ? Labels.EMPTY : Labels.of("topic", topic), value));
            }
        });

        final MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        for (final MetricKind kind : MetricKind.values())
        {
            final List<Point> points = byKind.get(kind);
            if (null != points)
            {
                snapshots.metricSnapshot(snapshot(kind.name, kind.help, kind.counter, kind.bytes, points));
            }
        }
        addConsumers(snapshots, tails, consumers);
        snapshots.metricSnapshot(GaugeSnapshot.builder().name(UPTIME).help("Seconds since the broker started")
            .unit(Unit.SECONDS).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .value(Unit.millisToSeconds(epochMs.getAsLong() - startTimestampMs)).build()).build());
        return snapshots.build();
    }

    /** Each consumer's position and lag, and per topic the slowest consumer and its lag (the tail when none). */
    private static void addConsumers(
        final MetricSnapshots.Builder snapshots, final Map<String, Long> tails, final List<Consumer> consumers)
    {
        final List<Point> positions = new ArrayList<>();
        final List<Point> lags = new ArrayList<>();
        final Map<String, Long> slowest = new TreeMap<>(tails);
        for (final Consumer consumer : consumers)
        {
            final Long tail = tails.get(consumer.topic);
            if (null == tail)
            {
                continue; // its topic's counters are being freed or not yet there
            }
            final Labels labels = Labels.of("consumer", consumer.id, "kind", consumer.kind, "topic", consumer.topic);
            positions.add(new Point(labels, consumer.position));
            lags.add(new Point(labels, Math.max(0, tail - consumer.position)));
            slowest.merge(consumer.topic, consumer.position, Math::min);
        }
        final List<Point> slowestPoints = new ArrayList<>();
        final List<Point> topicLags = new ArrayList<>();
        slowest.forEach((topic, position) ->
        {
            slowestPoints.add(new Point(Labels.of("topic", topic), position));
            topicLags.add(new Point(Labels.of("topic", topic), Math.max(0, tails.get(topic) - position)));
        });
        if (!tails.isEmpty())
        {
            snapshots.metricSnapshot(snapshot(TOPIC_SLOWEST, "Stream position of the topic's consumer furthest " +
                "behind, local or remote (the tail when it has none)", false, true, slowestPoints));
            snapshots.metricSnapshot(snapshot(TOPIC_LAG, "Bytes between the tail and the consumer furthest behind",
                false, true, topicLags));
        }
        if (!positions.isEmpty())
        {
            snapshots.metricSnapshot(snapshot(CONSUMER_POSITION, "Stream position a consumer has read up to " +
                "(a network subscriber: been sent up to)", false, true, positions));
            snapshots.metricSnapshot(snapshot(CONSUMER_LAG, "Bytes between the topic's tail and the consumer",
                false, true, lags));
        }
    }

    private static MetricSnapshot snapshot(
        final String name, final String help, final boolean counter, final boolean bytes, final List<Point> points)
    {
        if (counter)
        {
            final CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
            if (bytes)
            {
                builder.unit(Unit.BYTES);
            }
            points.forEach(p -> builder.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder().labels(p.labels).value(p.value).build()));
            return builder.build();
        }
        final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
        if (bytes)
        {
            builder.unit(Unit.BYTES);
        }
        points.forEach(p -> builder.dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(p.labels).value(p.value).build()));
        return builder.build();
    }

    private static final class Point
    {
        final Labels labels;
        final double value;

        Point(final Labels labels, final double value)
        {
            this.labels = labels;
            this.value = value;
        }
    }

    private static final class Consumer
    {
        final String topic;
        final String id;
        final String kind;
        final long position;

        Consumer(final String topic, final String id, final String kind, final long position)
        {
            this.topic = topic;
            this.id = id;
            this.kind = kind;
            this.position = position;
        }
    }
}
