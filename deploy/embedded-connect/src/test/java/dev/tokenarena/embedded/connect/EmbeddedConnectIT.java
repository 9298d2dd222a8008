package dev.tokenarena.embedded.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.storage.StringConverter;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real standalone worker against the shared in-process broker; one worker for the class. */
class EmbeddedConnectIT {

    @TempDir
    static Path dir;

    private static EmbeddedKafka kafka;
    private static EmbeddedConnect connect;

    @BeforeAll
    static void startWorker() {
        kafka = EmbeddedKafka.shared();
        connect = EmbeddedConnect.start(kafka.bootstrapServers(), dir.resolve("offsets"), 0);
        System.out.println("embedded Connect start-up took " + connect.startupTime().toMillis() + " ms");
    }

    @AfterAll
    static void stopWorker() {
        if (connect != null) {
            connect.close();
        }
    }

    @Test
    void shouldDeliverRecordsWhenConnectorIsRunning() throws Exception {
        String topic = "embedded-connect-it-records";
        kafka.createTopic(topic, 2);

        ConnectorState state = connect.putConnector("recording", Map.of(
                "connector.class", RecordingSinkConnector.class.getName(),
                "topics", topic,
                "key.converter", StringConverter.class.getName(),
                "value.converter", StringConverter.class.getName()));

        assertTrue(state.isRunning(), state.describe());
        assertEquals(1, state.tasks().size());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (String v : List.of("a", "b", "c")) {
                producer.send(new ProducerRecord<>(topic, v, v)).get();
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(
                () -> RecordingSinkConnector.RECEIVED.getOrDefault("recording", List.of()).size() == 3);
        assertEquals(List.of("a", "b", "c"),
                RecordingSinkConnector.RECEIVED.get("recording").stream().map(Object::toString).sorted().toList());

        // The REST API is served too, so a user can inspect the demo's worker with curl.
        HttpResponse<String> listed = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(connect.restUrl() + "connectors")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, listed.statusCode());
        assertTrue(listed.body().contains("\"recording\""), listed.body());
    }

    @Test
    void shouldThrowWithTaskTraceWhenTaskFailsToStart() {
        String topic = "embedded-connect-it-failing";
        kafka.createTopic(topic, 1);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> connect.putConnector("failing",
                Map.of("connector.class", RecordingSinkConnector.class.getName(), "topics", topic, "fail.task", "true"),
                Duration.ofSeconds(20)));

        assertTrue(e.getMessage().contains("connector failing failed"), e.getMessage());
        assertTrue(e.getMessage().contains("fail.task=true"), "the task's trace is in the message: " + e.getMessage());
        connect.deleteConnector("failing");
        assertFalse(connect.connectorState("failing").isPresent());
    }

    @Test
    void shouldRejectWithReasonWhenConnectorClassIsUnknown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> connect.putConnector(
                "unknown", Map.of("connector.class", "com.example.NoSuchConnector", "topics", "x")));

        assertTrue(e.getMessage().contains("NoSuchConnector"), e.getMessage());
    }

    @Test
    void shouldReportNothingWhenConnectorIsUnknown() {
        assertTrue(connect.connectorState("never-created").isEmpty());
    }
}
