package dev.tokenarena.standalone;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import dev.tokenarena.scoring.ScoringTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the runner shows the user: the latest leaderboard per preset and every drift alert, read
 * back from the output topics exactly as any consumer would (read_committed, so only what the
 * exactly-once scoring application committed). Records it cannot decode are counted, not fatal.
 */
final class LiveView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    /** Alerts kept in memory; the topic holds all of them. */
    private static final int MAX_ALERTS = 10_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroWireSerde<LeaderboardSnapshot> leaderboardSerde;
    private final AvroWireSerde<DriftAlert> alertSerde;
    private final String leaderboardTopic;
    private final String alertTopic;
    private final Map<String, LeaderboardSnapshot> leaderboards = new TreeMap<>();
    private final List<DriftAlert> alerts = new ArrayList<>();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    LiveView(String bootstrapServers, SchemaRegistryClient registry, String namespace) {
        this.leaderboardTopic = ScoringTopology.outputTopic(Topics.LEADERBOARD, namespace);
        this.alertTopic = ScoringTopology.outputTopic(Topics.ALERTS, namespace);
        this.leaderboardSerde = AvroWireSerde.forTopic(Topics.LEADERBOARD, registry);
        this.alertSerde = AvroWireSerde.forTopic(Topics.ALERTS, registry);
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::loop, "arena-live-view");
        thread.setDaemon(true);
    }

    void start() {
        consumer.assign(partitionsOf(leaderboardTopic, alertTopic));
        consumer.seekToBeginning(consumer.assignment());
        thread.start();
    }

    private List<org.apache.kafka.common.TopicPartition> partitionsOf(String... topics) {
        List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t, Duration.ofSeconds(30))
                    .forEach(p -> parts.add(new org.apache.kafka.common.TopicPartition(t, p.partition())));
        }
        return parts;
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        try {
            if (record.topic().equals(leaderboardTopic)) {
                LeaderboardSnapshot snapshot = leaderboardSerde.decode(record.value());
                // the tables show the main 1 h boards; the 24 h / 7 d boards are on the topic and the API
                if (snapshot != null && Topics.MAIN_WINDOW.equals(snapshot.getWindow())) {
                    synchronized (this) {
                        leaderboards.put(snapshot.getPreset(), snapshot);
                    }
                }
            } else {
                DriftAlert alert = alertSerde.decode(record.value());
                if (alert != null) {
                    synchronized (this) {
                        if (alerts.size() < MAX_ALERTS) {
                            alerts.add(alert);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (undecodable.incrementAndGet() <= 10) {
                LOG.warn("cannot decode {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            }
        }
    }

    synchronized Map<String, LeaderboardSnapshot> leaderboards() {
        return new TreeMap<>(leaderboards);
    }

    synchronized List<DriftAlert> alerts() {
        return List.copyOf(alerts);
    }

    long undecodable() {
        return undecodable.get();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
