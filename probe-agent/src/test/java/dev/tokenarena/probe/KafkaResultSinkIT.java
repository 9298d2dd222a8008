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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** A real round published through a real broker and registry, read back in the Confluent wire format. */
class KafkaResultSinkIT {

    @Test
    void shouldPublishEveryResultKeyedByEndpointWhenARoundRunsAgainstARealBroker() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        kafka.createTopics(List.of(Topics.PROBE_RESULTS.newTopic((short) 1), Topics.SCHEMAS.newTopic((short) 1)));
        List<ProbeResult> handed = new CopyOnWriteArrayList<>();
        try (RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0);
             FakeLlmServer server = new FakeLlmServer()) {
            server.script(ProbeAgentTest::answer);
            RestSchemaRegistryClient registryClient = new RestSchemaRegistryClient(registry.url());
            Map<String, String> cfg = ProbeAgentTest.baseConfig();
            cfg.putAll(Map.of("bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", registry.url(),
                    "input.tokens", "100", "concurrency", "1,2", "canary.count", "1", "needle.lengths", "150"));
            ProbeAgentConfig config = new ProbeAgentConfig(cfg);
            List<Endpoint> endpoints = List.of(
                    Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat")).setEndpointId("it-a").build(),
                    Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat")).setEndpointId("it-b").build());
            try (KafkaResultSink sink = KafkaResultSink.create(config, registryClient);
                 ProbeAgent agent = new ProbeAgent(config, () -> endpoints, r -> {
                     handed.add(r);
                     sink.accept(r);
                 }, ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> null)) {
                agent.runRound().get(60, TimeUnit.SECONDS);
                sink.flush();
                // 2 endpoints x (1 + 2 timing slots + 1 canary + 1 needle) = 10 results, all acknowledged.
                assertEquals(10, sink.sent());
                assertEquals(0, sink.failed());
            }

            AvroWireSerde<ProbeResult> serde = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registryClient);
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-it-" + System.nanoTime());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<ConsumerRecord<String, byte[]>> read = new CopyOnWriteArrayList<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.PROBE_RESULTS.name()));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                    return read.size() >= 10;
                });
            }
            Set<String> probeIds = handed.stream().map(ProbeResult::getProbeId).collect(Collectors.toSet());
            for (ConsumerRecord<String, byte[]> rec : read) {
                assertEquals(0, rec.value()[0], "Confluent magic byte");
                ProbeResult r = serde.decode(rec.value());
                assertEquals(r.getEndpointId(), rec.key(), "keyed by endpoint_id");
                assertTrue(probeIds.contains(r.getProbeId()));
                assertEquals("OK", r.getOutcome());
            }
            assertEquals(probeIds, read.stream().map(rec -> serde.decode(rec.value()).getProbeId()).collect(Collectors.toSet()));
        }
    }
}
