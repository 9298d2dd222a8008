package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.schemas.DeadLetters;
import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.EndpointComposite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The app on a real KRaft broker: exactly_once_v2, RocksDB, DLQ through the handler. */
@Tag("slow")
class ScoringIT {

    /** One registry for both tests: they share the broker's topics, so each reads the other's records. */
    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();

    @Test
    void shouldEmitCompositesAndDeadLetterWhenRunningOnRealBroker() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String ns = "it" + UUID.randomUUID().toString().substring(0, 8);
        InMemorySchemaRegistry registry = REGISTRY;
        ScoringConfig cfg = appOnItsOwnOutputs(kafka, "scoring-it-" + ns, ns);
        try (ScoringApp app = new ScoringApp(cfg, registry);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            app.start();
            send(producer, registry, Topics.ENDPOINTS, "e1", Events.endpoint("e1", "m", true, T0));
            send(producer, registry, Topics.ENDPOINTS, "e2", Events.endpoint("e2", "m", false, T0));
            send(producer, registry, Topics.PRICES, "e1", Events.price("e1", 0.60, 0.80, T0));
            send(producer, registry, Topics.PRICES, "e2", Events.price("e2", 1.20, 1.60, T0));
            producer.send(new ProducerRecord<>(Topics.PROBE_RESULTS.name(), "e1",
                    "garbage".getBytes(StandardCharsets.UTF_8)));
            for (long at : new long[] {T0 + MINUTE, T0 + 2 * MINUTE, T0 + 5 * MINUTE, T0 + 9 * MINUTE}) {
                send(producer, registry, Topics.PROBE_RESULTS, "e1", Events.probe("e1", at).setOutputTps(50.0).build());
                send(producer, registry, Topics.PROBE_RESULTS, "e2", Events.probe("e2", at).setOutputTps(25.0).build());
            }
            producer.flush();

            AvroWireSerde<EndpointComposite> serde = AvroWireSerde.forTopic(Topics.COMPOSITES, registry);
            List<EndpointComposite> composites = new ArrayList<>();
            List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + ns,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(ScoringTopology.outputTopic(Topics.COMPOSITES, ns),
                        ScoringTopology.outputTopic(Topics.DLQ, ns)));
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().startsWith(Topics.DLQ.name())) {
                            dead.add(r);
                        } else {
                            composites.add(serde.decode(r.value()));
                        }
                    }
                    return !dead.isEmpty() && composites.stream()
                            .anyMatch(c -> c.getEndpointId().equals("e1") && c.getPreset().equals("chat"));
                });
            }
            // still running: a follow-up rebalance (Streams may probe once more after start) passes
            // through REBALANCING, so wait for RUNNING rather than sample the state once
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
            EndpointComposite e1 = composites.stream()
                    .filter(c -> c.getEndpointId().equals("e1") && c.getPreset().equals("chat"))
                    .reduce((a, b) -> b).orElseThrow();
            // e1 is cheaper and faster than e2; TTFT, quality and reliability tie or are missing:
            // chat = 100 x (0.25 speed + 0.20 ttft (equal -> 1) + 0.25 price + 0 quality + 0.10) = 80
            assertEquals(80.0, e1.getScore(), 1e-9);
            assertEquals(0.65, e1.getBlendedUsdPerMtok(), 1e-12);
            assertEquals(1, dead.size());
            assertTrue(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON).startsWith("cannot deserialize"));
            assertEquals(1, app.deadLetters().count(Topics.PROBE_RESULTS.name()));
        }
    }

    /**
     * Exactly-once with buckets written behind: the live app keeps an endpoint's newest 5-minute
     * bucket in memory between commits and writes it through the store's before-commit hook. So
     * once the app has committed its offsets past six probes of e1 into bucket [10:00, 10:05)
     * (without closing: a crash now would restore the store from its changelog and not read the
     * probes again), the bucket store's changelog, read committed, must hold that bucket with all
     * six probes. Without the hook it would hold nothing until e1 moved to a later bucket.
     */
    @Test
    void shouldHaveEveryCommittedProbeInTheBucketChangelogBeforeTheBucketCloses() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String ns = "wb" + UUID.randomUUID().toString().substring(0, 8);
        String appId = "scoring-it-" + ns;
        InMemorySchemaRegistry registry = REGISTRY;
        ScoringConfig cfg = appOnItsOwnOutputs(kafka, appId, ns);
        String changelog = appId + "-" + ScoringTopology.PROBE_BUCKETS_STORE + "-changelog";
        String endpoint = "e-" + ns; // the topics are shared with the other test (e1 and e2 of model m)
        String bucketKey = ProbeBuckets.key(endpoint, ProbeBuckets.FINE, T0);
        try (ScoringApp app = new ScoringApp(cfg, registry);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
             org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
            app.start();
            send(producer, registry, Topics.ENDPOINTS, endpoint, Events.endpoint(endpoint, "m-" + ns, true, T0));
            org.apache.kafka.clients.producer.RecordMetadata last = null;
            for (int i = 0; i < 6; i++) {
                last = send(producer, registry, Topics.PROBE_RESULTS, endpoint,
                        Events.probe(endpoint, T0 + (i + 1) * 30_000L).build()).get();
            }
            org.apache.kafka.common.TopicPartition probes = new org.apache.kafka.common.TopicPartition(
                    last.topic(), last.partition());
            long probesEnd = last.offset() + 1;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                var committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get().get(probes);
                return committed != null && committed.offset() >= probesEnd;
            });

            AvroWireSerde<dev.tokenarena.scoring.avro.ProbeWindowAgg> serde =
                    AvroWireSerde.forType(dev.tokenarena.scoring.avro.ProbeWindowAgg.class, registry);
            long probesInBucket = -1;
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer())) {
                List<org.apache.kafka.common.TopicPartition> parts = consumer.partitionsFor(changelog).stream()
                        .map(pi -> new org.apache.kafka.common.TopicPartition(changelog, pi.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(parts);
                while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (bucketKey.equals(r.key()) && r.value() != null) {
                            probesInBucket = ProbeSketches.fromAvro(serde.decode(r.value())).probeCount();
                        }
                    }
                }
            }
            assertEquals(6, probesInBucket, "probes of the endpoint's bucket [10:00, 10:05) in the committed changelog");
        }
    }

    /** Creates the input topics (if missing) and the namespace's outputs; the app's config, committing every 100 ms. */
    private static ScoringConfig appOnItsOwnOutputs(EmbeddedKafka kafka, String appId, String ns) throws Exception {
        List<org.apache.kafka.clients.admin.NewTopic> topics = new ArrayList<>();
        for (TopicSpec<?> t : Topics.all()) {
            topics.add(t.newTopic((short) 1));
        }
        for (TopicSpec<?> t : List.of(Topics.COMPOSITES, Topics.LEADERBOARD, Topics.ALERTS, Topics.DLQ)) {
            topics.add(new org.apache.kafka.clients.admin.NewTopic(ScoringTopology.outputTopic(t, ns),
                    t.partitions(), (short) 1));
        }
        kafka.createTopics(topics);
        return new ScoringConfig(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", "http://registry.unused",
                ScoringConfig.APPLICATION_ID, appId,
                ScoringConfig.STATE_DIR, Files.createTempDirectory(Path.of("target"), "it-state-").toString(),
                ScoringConfig.OUTPUT_NAMESPACE, ns,
                ScoringConfig.COMMIT_INTERVAL_MS, "100"));
    }

    private static <T extends SpecificRecord> java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
            KafkaProducer<String, byte[]> producer, InMemorySchemaRegistry registry, TopicSpec<T> topic, String key,
            T value) {
        return producer.send(new ProducerRecord<>(topic.name(), key,
                AvroWireSerde.forTopic(topic, registry).encode(topic.name(), value)));
    }
}
