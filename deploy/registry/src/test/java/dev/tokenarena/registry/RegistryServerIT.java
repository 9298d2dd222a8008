package dev.tokenarena.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RegisteredSchema;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.registry.SchemaRegistryException;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.serde.WireFormat;
import dev.tokenarena.schemas.v1.GridIntensity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry on a real in-process KRaft broker: durable storage, restart, and the wire format end to end. */
class RegistryServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema GRID_V1 = GridIntensity.getClassSchema();
    // GridIntensity plus an optional field with a default: old readers ignore it, new readers default it.
    private static final Schema GRID_WITH_OPTIONAL = SchemaBuilder.record("GridIntensity")
            .namespace("dev.tokenarena.schemas.v1").fields()
            .requiredString("zone").requiredDouble("gco2_per_kwh").requiredString("source")
            .requiredLong("effective_from_ms").optionalString("note").endRecord();
    // GridIntensity without its required "source": a consumer still on v1 could not read new records.
    private static final Schema GRID_WITHOUT_SOURCE = SchemaBuilder.record("GridIntensity")
            .namespace("dev.tokenarena.schemas.v1").fields()
            .requiredString("zone").requiredDouble("gco2_per_kwh").requiredLong("effective_from_ms").endRecord();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.shared();
    }

    @Test
    void shouldRegisterFetchAndLookUpWhenStoredInDefaultCompactedTopic() throws Exception {
        try (RegistryServer server = RegistryServer.start(kafka.bootstrapServers(), 0)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
            String subject = unique("probe") + "-value";

            int id = client.register(subject, GRID_V1);

            RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(server.url()); // no cache
            assertEquals(GRID_V1, fresh.schemaById(id));
            assertEquals(new RegisteredSchema(subject, id, 1, GRID_V1), fresh.latest(subject));
            assertEquals(Optional.of(new RegisteredSchema(subject, id, 1, GRID_V1)), fresh.lookup(subject, GRID_V1));
            assertTrue(fresh.subjects().contains(subject));
        }
        try (Admin admin = kafka.admin()) {
            String topic = Topics.SCHEMAS.name();
            TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
            assertEquals(1, description.partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, admin.describeConfigs(Set.of(resource)).all().get()
                    .get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
        }
    }

    @Test
    void shouldStoreRecordsInConfluentLayoutWhenRegistering() throws Exception {
        String topic = unique("layout");
        String subject = topic + "-value";
        try (RegistryServer server = start(topic)) {
            new RestSchemaRegistryClient(server.url()).register(subject, GRID_V1);
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic);
        assertEquals(1, records.size());
        assertEquals("{\"keytype\":\"SCHEMA\",\"subject\":\"" + subject + "\",\"version\":1,\"magic\":1}",
                new String(records.get(0).key(), StandardCharsets.UTF_8));
        JsonNode value = JSON.readTree(records.get(0).value());
        assertEquals(subject, value.get("subject").asText());
        assertEquals(GRID_V1, new Schema.Parser().parse(value.get("schema").asText()));
        assertFalse(value.get("deleted").asBoolean());
    }

    @Test
    void shouldRoundTripGeneratedRecordWhenSerdeRegistersThroughServer() throws Exception {
        try (RegistryServer server = start(unique("serde"))) {
            AvroWireSerde<GridIntensity> serde = AvroWireSerde.forTopic(Topics.GRID,
                    new RestSchemaRegistryClient(server.url()));
            GridIntensity value = GridIntensity.newBuilder().setZone("DE").setGco2PerKwh(381.5)
                    .setSource("annual average").setEffectiveFromMs(1_700_000_000_000L).build();

            byte[] payload = serde.serializer().serialize(Topics.GRID.name(), value);
            // a consumer with its own client (cold cache) must resolve the id through the server
            AvroWireSerde<GridIntensity> reader = AvroWireSerde.forTopic(Topics.GRID,
                    new RestSchemaRegistryClient(server.url()));
            assertEquals(value, reader.deserializer().deserialize(Topics.GRID.name(), payload));

            int id = WireFormat.schemaId(payload);
            HttpResponse<String> byId = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.url() + "/schemas/ids/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, byId.statusCode());
            assertEquals(GRID_V1, new Schema.Parser().parse(JSON.readTree(byId.body()).get("schema").asText()));
        }
    }

    @Test
    void shouldAcceptOptionalFieldAndRefuseRemovedRequiredFieldWhenLevelIsFull() {
        try (RegistryServer server = start(unique("evolve"))) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
            String subject = Topics.GRID.valueSubject();
            int v1 = client.register(subject, GRID_V1);

            int v2 = client.register(subject, GRID_WITH_OPTIONAL);
            assertEquals(v1 + 1, v2);
            assertEquals(2, client.latest(subject).version());

            SchemaRegistryException refused = assertThrows(SchemaRegistryException.class,
                    () -> client.register(subject, GRID_WITHOUT_SOURCE));
            assertEquals(409, refused.status());
            assertEquals(409, refused.errorCode());
            assertTrue(refused.getMessage().contains("source"), refused.getMessage());
            assertTrue(refused.getMessage().contains("register subject '" + subject + "' at " + server.url()),
                    refused.getMessage());
            assertEquals(2, client.latest(subject).version(), "a refused schema is not stored");
        }
    }

    @Test
    void shouldKeepIdsAndSubjectsWhenRestartedOnSameTopic() {
        String topic = unique("restart");
        int gridId;
        int probeId;
        try (RegistryServer first = start(topic)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(first.url());
            gridId = client.register("grid-value", GRID_V1);
            probeId = client.register("grid-value", GRID_WITH_OPTIONAL);
            assertEquals(gridId, client.register("other-value", GRID_V1));
        }
        try (RegistryServer second = start(topic)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(second.url());
            assertEquals(List.of("grid-value", "other-value"), client.subjects());
            assertEquals(GRID_V1, client.schemaById(gridId));
            assertEquals(new RegisteredSchema("grid-value", probeId, 2, GRID_WITH_OPTIONAL), client.latest("grid-value"));
            assertEquals(gridId, client.register("grid-value", GRID_V1), "idempotent across restarts");
            // a new schema continues after the highest stored id, never reusing one
            Schema fresh = SchemaBuilder.record("Fresh").namespace("t").fields().requiredInt("n").endRecord();
            assertEquals(Math.max(gridId, probeId) + 1, client.register("fresh-value", fresh));
        }
    }

    @Test
    void shouldSeeSchemasOfAnotherServerWhenFollowingSameTopic() {
        String topic = unique("follow");
        try (RegistryServer writer = start(topic); RegistryServer follower = start(topic)) {
            int id = new RestSchemaRegistryClient(writer.url()).register("grid-value", GRID_V1);
            RestSchemaRegistryClient read = new RestSchemaRegistryClient(follower.url());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> read.subjects().contains("grid-value"));
            assertEquals(GRID_V1, read.schemaById(id));
        }
    }

    @Test
    void shouldRefuseToStartWhenStorageTopicIsNotCompacted() throws Exception {
        String topic = unique("deleting");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)))).all().get();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(topic));
        assertTrue(e.getMessage().contains("cleanup.policy=delete"), e.getMessage());
    }

    private static RegistryServer start(String topic) {
        return RegistryServer.start(RegistryServer.Options.defaults(kafka.bootstrapServers(), 0).withTopic(topic));
    }

    /** One storage topic per test on the shared broker, named after the catalogue's. */
    private static String unique(String what) {
        return Topics.SCHEMAS.name() + "-it-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return consumer.position(tp) >= end;
            });
            return out;
        }
    }
}
