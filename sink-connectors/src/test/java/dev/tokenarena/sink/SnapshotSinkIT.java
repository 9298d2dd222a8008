package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.embedded.connect.ConnectorState;
import dev.tokenarena.embedded.connect.EmbeddedConnect;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both sinks in a real standalone worker, reading from the in-process broker and decoding with
 * the embedded registry over REST, as the demo runs them.
 */
class SnapshotSinkIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
    private static final String STRINGS = "org.apache.kafka.connect.storage.StringConverter";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldWriteLatestAndVersionedSnapshotsWhenTwoSnapshotsArePublished() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        kafka.createTopics(List.of(Topics.LEADERBOARD.newTopic((short) 1), Topics.ALERTS.newTopic((short) 1),
                Topics.DLQ.newTopic((short) 1), Topics.SCHEMAS.newTopic((short) 1)));
        Path out = dir.resolve("arena-out");
        try (RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0);
             EmbeddedConnect connect = EmbeddedConnect.start(kafka.bootstrapServers(), dir.resolve("offsets"), 0)) {
            ConnectorState snapshots = connect.putConnector("snapshots", Map.ofEntries(
                    Map.entry("connector.class", SnapshotSinkConnector.class.getName()),
                    Map.entry("topics", Topics.LEADERBOARD.name()),
                    Map.entry("key.converter", STRINGS),
                    Map.entry("value.converter", BYTES),
                    Map.entry(SnapshotSinkConfig.SCHEMA_REGISTRY_URL, registry.url()),
                    Map.entry(SnapshotSinkConfig.SNAPSHOT_DIR, out.toString()),
                    Map.entry("errors.tolerance", "all"),
                    Map.entry("errors.deadletterqueue.topic.name", Topics.DLQ.name()),
                    Map.entry("errors.deadletterqueue.topic.replication.factor", "1"),
                    Map.entry("errors.deadletterqueue.context.headers.enable", "true")));
            ConnectorState jsonl = connect.putConnector("jsonl", Map.of(
                    "connector.class", JsonLinesSinkConnector.class.getName(),
                    "topics", Topics.ALERTS.name(),
                    "key.converter", STRINGS,
                    "value.converter", BYTES,
                    JsonLinesSinkConfig.SCHEMA_REGISTRY_URL, registry.url(),
                    JsonLinesSinkConfig.JSONL_DIR, out.toString(),
                    JsonLinesSinkConfig.JSONL_FILES, Topics.ALERTS.name() + ":alerts.jsonl"));
            assertTrue(snapshots.isRunning() && jsonl.isRunning(), snapshots.describe() + "\n" + jsonl.describe());

            long later = Fixtures.GENERATED_AT_MS + 300_000;
            byte[] poison = "not avro".getBytes(StandardCharsets.UTF_8);
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
            var leaderboardSerde = AvroWireSerde.forTopic(Topics.LEADERBOARD, client);
            var alertSerde = AvroWireSerde.forTopic(Topics.ALERTS, client);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                String topic = Topics.LEADERBOARD.name();
                producer.send(new ProducerRecord<>(topic, "chat",
                        leaderboardSerde.encode(topic, Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))).get();
                producer.send(new ProducerRecord<>(topic, "chat", poison)).get();
                producer.send(new ProducerRecord<>(topic, "chat",
                        leaderboardSerde.encode(topic, Fixtures.snapshot(later)))).get();
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), "acme-llama70b-fp8-use1",
                        alertSerde.encode(Topics.ALERTS.name(), Fixtures.alert("a-1", "OPEN")))).get();
            }

            // 1_767_229_500_000 ms is 2026-01-01T01:05:00Z: the second snapshot is the latest.
            Awaitility.await().atMost(WAIT).until(() -> generatedAt(out.resolve("leaderboard-chat.json")),
                    "2026-01-01T01:05:00Z"::equals);
            assertEquals(List.of("1767229200000-a1b2c3d4e5f60718.csv", "1767229200000-a1b2c3d4e5f60718.json",
                    "1767229500000-a1b2c3d4e5f60718.csv", "1767229500000-a1b2c3d4e5f60718.json"),
                    list(out.resolve("snapshots/chat")));
            JsonNode doc = JSON.readTree(out.resolve("leaderboard-chat.json").toFile());
            assertEquals(2, doc.get("rows").size());
            assertEquals("acme-llama70b-fp8-use1", doc.get("rows").get(0).get("endpoint_id").asText());
            assertEquals(87.5, doc.get("rows").get(0).get("score").asDouble());
            assertEquals(registry.url(), doc.get("provenance").get("registry_url").asText());
            assertEquals(2, doc.get("provenance").get("offset").asLong(), "third record of a fresh topic");
            assertEquals(3, Files.readAllLines(out.resolve("leaderboard-chat.csv")).size());

            ConsumerRecord<byte[], byte[]> dead = firstDeadLetter(kafka.bootstrapServers());
            assertEquals("not avro", new String(dead.value(), StandardCharsets.UTF_8));
            assertEquals(Topics.LEADERBOARD.name(), header(dead, "__connect.errors.topic"));
            assertTrue(header(dead, "__connect.errors.exception.message").contains("unknown magic byte"),
                    header(dead, "__connect.errors.exception.message"));

            // JSON lines reach the file by the worker's offset flush (2 s in the embedded worker). The
            // alerts topic of the shared broker may hold other ITs' alerts: only a-1 is this test's.
            Awaitility.await().atMost(WAIT).until(() -> Files.exists(out.resolve("alerts.jsonl"))
                    && alertIds(out.resolve("alerts.jsonl")).contains("a-1"));
            assertEquals(1, alertIds(out.resolve("alerts.jsonl")).stream().filter("a-1"::equals).count());
            assertEquals(ConnectorState.RUNNING, connect.connectorState("snapshots").orElseThrow().tasks().get(0).state(),
                    "the poison record did not stop the task");
        }
    }

    private static List<String> alertIds(Path file) throws IOException {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ids.add(JSON.readTree(line).get("alert_id").asText());
        }
        return ids;
    }

    private static String generatedAt(Path file) {
        try {
            return Files.exists(file) ? JSON.readTree(file.toFile()).get("generated_at").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static ConsumerRecord<byte[], byte[]> firstDeadLetter(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "snapshot-sink-it-dlq",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DLQ.name()));
            List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
            Awaitility.await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (Topics.LEADERBOARD.name().equals(header(r, "__connect.errors.topic"))) {
                        seen.add(r);
                    }
                });
                return !seen.isEmpty();
            });
            return seen.get(0);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
