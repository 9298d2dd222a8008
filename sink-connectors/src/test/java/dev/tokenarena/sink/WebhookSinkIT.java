package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.embedded.connect.ConnectorState;
import dev.tokenarena.embedded.connect.EmbeddedConnect;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.sink.LoopbackReceiver.Received;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook sink in a real standalone worker, reading alerts from the in-process broker,
 * decoding with the embedded registry over REST and POSTing to a loopback receiver that first
 * answers 503 once.
 */
class WebhookSinkIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "it-secret-0c41";

    @TempDir
    Path dir;

    @Test
    void shouldDeliverBothAlertsSignedWhenTwoAlertsArePublished() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        kafka.createTopics(List.of(Topics.ALERTS.newTopic((short) 1), Topics.DLQ.newTopic((short) 1),
                Topics.SCHEMAS.newTopic((short) 1)));
        try (LoopbackReceiver receiver = new LoopbackReceiver().thenReply(LoopbackReceiver.Reply.of(503))
                .scriptOnlyFor(WebhookSinkIT::isOurs);
             RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0);
             EmbeddedConnect connect = EmbeddedConnect.start(kafka.bootstrapServers(), dir.resolve("offsets"), 0)) {
            ConnectorState webhook = connect.putConnector("webhook-it", Map.ofEntries(
                    Map.entry("connector.class", WebhookSinkConnector.class.getName()),
                    Map.entry("topics", Topics.ALERTS.name()),
                    Map.entry("key.converter", "org.apache.kafka.connect.storage.StringConverter"),
                    Map.entry("value.converter", ConnectorRules.BYTE_ARRAY_CONVERTER),
                    Map.entry(WebhookSinkConfig.SCHEMA_REGISTRY_URL, registry.url()),
                    Map.entry(WebhookSinkConfig.URL, receiver.url("/hooks/arena")),
                    Map.entry(WebhookSinkConfig.HMAC_SECRET, SECRET),
                    Map.entry(WebhookSinkConfig.RETRY_BACKOFF_MS, "50"),
                    Map.entry("errors.tolerance", "all"),
                    Map.entry("errors.deadletterqueue.topic.name", Topics.DLQ.name()),
                    Map.entry("errors.deadletterqueue.topic.replication.factor", "1")));
            assertTrue(webhook.isRunning(), webhook.describe());

            var serde = AvroWireSerde.forTopic(Topics.ALERTS, new RestSchemaRegistryClient(registry.url()));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (String state : List.of("OPEN", "RESOLVED")) {
                    producer.send(new ProducerRecord<>(Topics.ALERTS.name(), "acme-llama70b-fp8-use1",
                            serde.encode(Topics.ALERTS.name(), Fixtures.alert("webhook-it-1", state)))).get();
                }
            }

            // The shared broker's alerts topic may hold other tests' alerts: look at ours only.
            Awaitility.await().atMost(WAIT).until(() -> ours(receiver).size() >= 3);
            List<Received> ours = ours(receiver);
            assertEquals(List.of("OPEN", "OPEN", "RESOLVED"), ours.stream().map(WebhookSinkIT::state).toList(),
                    "the 503 was retried, then both in order");
            assertEquals(ours.get(0).header("X-Arena-Delivery"), ours.get(1).header("X-Arena-Delivery"));
            assertTrue(ours.get(2).header("X-Arena-Delivery").startsWith(Topics.ALERTS.name() + "-0-"),
                    ours.get(2).header("X-Arena-Delivery"));
            for (Received r : ours) {
                assertEquals("sha256=" + hmacHex(r.header("X-Arena-Timestamp") + "." + r.bodyText()),
                        r.header("X-Arena-Signature"));
            }
            assertEquals(ConnectorState.RUNNING,
                    connect.connectorState("webhook-it").orElseThrow().tasks().get(0).state());
        }
    }

    private static List<Received> ours(LoopbackReceiver receiver) {
        return receiver.received.stream().filter(WebhookSinkIT::isOurs).toList();
    }

    private static boolean isOurs(Received r) {
        return r.bodyText().contains("\"webhook-it-1\"");
    }

    private static String state(Received r) {
        try {
            return JSON.readTree(r.body()).get("state").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hmacHex(String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
