package dev.tokenarena.probe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The no-loss path end to end: our own broker on a fixed port and data directory is stopped in
 * the middle of a round and the agent process "restarts" (a new sink on the same spool) while
 * it is down; when the broker is back every result of the round is in the topic exactly once.
 */
class SpoolingResultSinkIT {

    @Test
    void shouldDeliverEveryResultExactlyOnceWhenBrokerStopsAndRestartsMidRound() throws Exception {
        Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "spool-it-");
        Path kafkaDir = root.resolve("kafka");
        int port = EmbeddedKafka.freePort();
        Map<String, String> brokerProps = Map.of("log.flush.interval.messages", "1");
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, port, brokerProps, false);
        RegistryServer registry = null;
        CountDownLatch timingGate = new CountDownLatch(1);
        List<ProbeResult> handed = new CopyOnWriteArrayList<>();
        try (FakeLlmServer server = new FakeLlmServer()) {
            kafka.createTopics(List.of(Topics.PROBE_RESULTS.newTopic((short) 1), Topics.SCHEMAS.newTopic((short) 1)));
            registry = RegistryServer.start(kafka.bootstrapServers(), 0);
            RestSchemaRegistryClient registryClient = new RestSchemaRegistryClient(registry.url());
            // Needles and canaries answer at once; timing requests wait for the gate, so the round
            // is still running when the broker goes down.
            server.script(r -> {
                if (r.body().contains("lighthouse")) {
                    try {
                        timingGate.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return ProbeAgentTest.answer(r);
            });
            Map<String, String> cfg = ProbeAgentTest.baseConfig();
            cfg.putAll(Map.of("bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", registry.url(),
                    "input.tokens", "100", "concurrency", "1,2", "canary.count", "1", "needle.lengths", "150",
                    "spool.dir", root.resolve("spool").toString(), "spool.send.timeout.ms", "1000",
                    "spool.retry.backoff.ms", "100"));
            ProbeAgentConfig config = new ProbeAgentConfig(cfg);
            List<Endpoint> endpoints = List.of(
                    Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat")).setEndpointId("it-a").build(),
                    Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat")).setEndpointId("it-b").build());

            SpoolingResultSink sink = SpoolingResultSink.create(config, registryClient);
            try (ProbeAgent agent = new ProbeAgent(config, () -> endpoints, r -> {
                handed.add(r);
                sink.accept(r);
            }, ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> null)) {
                CompletableFuture<ProbeAgent.RoundReport> round = agent.runRound();
                // 2 endpoints x (1 needle + 1 canary) are delivered before the timing steps start.
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.delivered() == 4);
                kafka.close();
                timingGate.countDown();
                // 2 endpoints x (1 + 2 timing slots) = 6 results spooled while the broker is down.
                assertEquals(10, round.get(60, TimeUnit.SECONDS).results());
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.failedAttempts() >= 1);
                assertEquals(6, sink.pendingRecords());
            } finally {
                sink.close();
            }

            // The agent process restarts while Kafka is still down: the spool is all it has.
            try (SpoolingResultSink restarted = SpoolingResultSink.create(config, registryClient)) {
                assertEquals(6, restarted.pendingRecords());
                kafka = EmbeddedKafka.start(kafkaDir, port, brokerProps, false);
                assertTrue(restarted.awaitDrained(Duration.ofSeconds(60)), "spool drained after the broker returned");
            }

            List<String> arrived = readAll(kafka.bootstrapServers(), registryClient);
            Map<String, Long> counts = arrived.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            Set<String> expected = handed.stream().map(ProbeResult::getProbeId).collect(Collectors.toSet());
            assertEquals(10, expected.size());
            assertEquals(expected, counts.keySet(), "every result arrived");
            assertEquals(10, arrived.size(), "none twice: " + counts);
        } finally {
            if (registry != null) {
                registry.close();
            }
            kafka.close();
        }
    }

    /** Every probe_id in the results topic, read from the beginning to the end offsets. */
    private static List<String> readAll(String bootstrap, RestSchemaRegistryClient registry) {
        AvroWireSerde<ProbeResult> serde = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry);
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(Topics.PROBE_RESULTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    ids.add(serde.decode(rec.value()).getProbeId());
                }
                return tps.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        return ids;
    }
}
