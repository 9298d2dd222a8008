package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.embedded.connect.ConnectorState;
import dev.tokenarena.embedded.connect.EmbeddedConnect;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL sink in a real standalone Connect worker, reading from the in-process broker,
 * decoding with the embedded registry over REST, writing to a real PostgreSQL server.
 */
class PostgresSinkIT {

    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
    private static final String STRINGS = "org.apache.kafka.connect.storage.StringConverter";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldWriteAlertsAndCompositesAsRowsWhenTheWorkerRunsTheConnector() throws Exception {
        String why = PostgresServer.unavailableReason();
        assumeTrue(why == null, "no PostgreSQL here: " + why);
        String url = PostgresServer.shared().newDatabase("sink_it");
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        kafka.createTopics(List.of(Topics.COMPOSITES.newTopic((short) 1), Topics.ALERTS.newTopic((short) 1),
                Topics.DLQ.newTopic((short) 1), Topics.SCHEMAS.newTopic((short) 1)));
        try (RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0);
             EmbeddedConnect connect = EmbeddedConnect.start(kafka.bootstrapServers(), dir.resolve("offsets"), 0)) {
            ConnectorState pg = connect.putConnector("pg-history", Map.ofEntries(
                    Map.entry("connector.class", PostgresSinkConnector.class.getName()),
                    Map.entry("topics", Topics.COMPOSITES.name() + "," + Topics.ALERTS.name()),
                    Map.entry("key.converter", STRINGS),
                    Map.entry("value.converter", BYTES),
                    Map.entry(PostgresSinkConfig.SCHEMA_REGISTRY_URL, registry.url()),
                    Map.entry(PostgresSinkConfig.PG_URL, url),
                    Map.entry(PostgresSinkConfig.PG_USER, "postgres"),
                    Map.entry(PostgresSinkConfig.PG_TABLES, Topics.COMPOSITES.name() + ":composites,"
                            + Topics.ALERTS.name() + ":drift_alerts"),
                    Map.entry("errors.tolerance", "all"),
                    Map.entry("errors.deadletterqueue.topic.name", Topics.DLQ.name()),
                    Map.entry("errors.deadletterqueue.topic.replication.factor", "1"),
                    Map.entry("errors.deadletterqueue.context.headers.enable", "true")));
            assertTrue(pg.isRunning(), pg.describe());

            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
            var alerts = AvroWireSerde.forTopic(Topics.ALERTS, client);
            var composites = AvroWireSerde.forTopic(Topics.COMPOSITES, client);
            var rows = Fixtures.snapshot(Fixtures.GENERATED_AT_MS).getRows();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                String a = Topics.ALERTS.name();
                String c = Topics.COMPOSITES.name();
                producer.send(new ProducerRecord<>(a, "acme", alerts.encode(a, Fixtures.alert("it-1", "OPEN")))).get();
                producer.send(new ProducerRecord<>(a, "acme", "not avro".getBytes(StandardCharsets.UTF_8))).get();
                producer.send(new ProducerRecord<>(a, "acme", alerts.encode(a, Fixtures.alert("it-1", "RESOLVED")))).get();
                producer.send(new ProducerRecord<>(c, "acme", composites.encode(c, rows.get(0).getComposite()))).get();
                producer.send(new ProducerRecord<>(c, "base", composites.encode(c, rows.get(1).getComposite()))).get();
            }

            // Rows are written at the worker's offset flush (2 s in the embedded worker). The topics of
            // the shared broker may hold other ITs' records: it-1 and the composites are this test's.
            String ours = "SELECT state, kafka_offset FROM drift_alerts WHERE alert_id = 'it-1' ORDER BY kafka_offset";
            Awaitility.await().atMost(WAIT).until(() -> query(url, ours).size() == 2
                    && query(url, "SELECT count(*) FROM composites").equals(List.of("2")));
            assertEquals(List.of("OPEN", "RESOLVED"), query(url, ours));
            // Two offsets apart: the poison record between them went to the DLQ, not into the table.
            assertEquals(List.of("2"), query(url, "SELECT max(kafka_offset) - min(kafka_offset) FROM drift_alerts "
                    + "WHERE alert_id = 'it-1'"));
            assertEquals(List.of("acme-llama70b-fp8-use1 87.5", "base-llama70b-bf16-euc1 62.25"),
                    query(url, "SELECT endpoint_id || ' ' || score FROM composites ORDER BY score DESC"));
            assertEquals(ConnectorState.RUNNING, connect.connectorState("pg-history").orElseThrow().tasks().get(0).state(),
                    "the poison record did not stop the task");
        }
    }

    private static List<String> query(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
