package dev.tokenarena.eval;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** One real round through a real broker and registry, read back in the Confluent wire format. */
class KafkaEvalSinkIT {

    @Test
    void shouldPublishResultsAndFingerprintsKeyedByEndpointWhenRoundRunsAgainstRealBroker() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        List<String> topics = List.of(Topics.EVAL_RESULTS.name(), Topics.EVAL_FINGERPRINTS.name(), Topics.SCHEMAS.name());
        kafka.createTopics(List.of(Topics.EVAL_RESULTS.newTopic((short) 1), Topics.EVAL_FINGERPRINTS.newTopic((short) 1),
                Topics.SCHEMAS.newTopic((short) 1)));
        try (RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0);
             TestServer server = new TestServer(ex -> {
                 boolean logprobs = TestServer.body(ex).contains("\"logprobs\":true");
                 TestServer.respond(ex, 200, logprobs
                         ? "{\"choices\":[{\"message\":{\"content\":\"Hi\"},\"logprobs\":{\"content\":[{\"token\":\"Hi\","
                                 + "\"logprob\":-0.2,\"top_logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.2}]}]}}]}"
                         : "{\"choices\":[{\"message\":{\"content\":\"#### 44\"}}],"
                                 + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}");
             })) {
            RestSchemaRegistryClient registryClient = new RestSchemaRegistryClient(registry.url());
            EvalConfig config = new EvalConfig(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "schema.registry.url", registry.url(), EvalConfig.ITEMS_PER_ROUND, "4",
                    EvalConfig.FINGERPRINT_PROMPTS_PER_ROUND, "2"));
            Endpoint endpoint = Endpoint.newBuilder().setEndpointId("it-eval-a").setProvider("p").setModel("m")
                    .setSku("s").setPrecision("bf16").setDecoding("default").setRegion("us-east").setGridZone("FR")
                    .setProtocol("openai-chat").setBaseUrl(server.baseUrl()).setModelName("m").setReference(true)
                    .setContextTokens(8192).setLogprobs(true).setUpdatedAtMs(0L).build();
            PriceQuote price = PriceQuote.newBuilder().setEndpointId("it-eval-a").setInputUsdPerMtok(1.0)
                    .setOutputUsdPerMtok(2.0).setSource("test").setEffectiveFromMs(0L).build();
            try (KafkaEvalSink sink = new KafkaEvalSink(kafka.bootstrapServers(), registryClient);
                 EvalWorker worker = new EvalWorker(config, () -> List.of(endpoint), id -> price, sink,
                         Clock.systemUTC(), name -> null)) {
                RoundSummary summary = worker.runRound();
                // Item 0 of the sample expects 44; items 1..3 expect other numbers -> 1 correct of 4.
                assertEquals(1, summary.correct());
            }

            AvroWireSerde<EvalItemResult> results = AvroWireSerde.forTopic(Topics.EVAL_RESULTS, registryClient);
            AvroWireSerde<FingerprintSample> samples = AvroWireSerde.forTopic(Topics.EVAL_FINGERPRINTS, registryClient);
            List<EvalItemResult> gotResults = new CopyOnWriteArrayList<>();
            List<FingerprintSample> gotSamples = new CopyOnWriteArrayList<>();
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "eval-it");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, byte[]> consumer =
                         new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(topics.subList(0, 2));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        assertEquals("it-eval-a", r.key());
                        if (r.topic().equals(Topics.EVAL_RESULTS.name())) {
                            gotResults.add(results.decode(r.value()));
                        } else {
                            gotSamples.add(samples.decode(r.value()));
                        }
                    }
                    return gotResults.size() >= 4 && gotSamples.size() >= 2;
                });
            }
            assertEquals(4, gotResults.size());
            assertEquals(2, gotSamples.size());
            // 10 input and 5 output tokens at 1 and 2 USD per 1M: 10e-6 + 10e-6 = 2e-5 USD per item.
            assertTrue(gotResults.stream().allMatch(r -> Math.abs(r.getCostUsd() - 2e-5) < 1e-15));
            assertEquals(1, gotResults.stream().filter(EvalItemResult::getCorrect).count());
        }
    }
}
