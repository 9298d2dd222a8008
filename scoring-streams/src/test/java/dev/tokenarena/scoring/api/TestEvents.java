package dev.tokenarena.scoring.api;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.schemas.v1.TokenLogprob;
import dev.tokenarena.scoring.ScoringTopology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Input records and broker helpers shared by the API and replay tests (ids made unique per test). */
public final class TestEvents {

    public static final long MINUTE = 60_000L;
    /** Reference distribution: x 0.6, y 0.3, other 0.1. */
    public static final List<FingerprintPosition> GOOD = List.of(position("x", 0.6, "y", 0.3));
    /** Shifted: x 0.6, z 0.3; SKL against GOOD = 0.5 ln 6 = 0.895880 (FidelityMathTest). */
    public static final List<FingerprintPosition> BAD = List.of(position("x", 0.6, "z", 0.3));

    private static int seq;
    private static EmbeddedKafka broker;

    /**
     * A second JVM-wide broker for the tests that write the catalogue input topics (whose names
     * the topology fixes) with their own registry: on {@link EmbeddedKafka#shared()} their records
     * would reach ScoringIT's app, which counts every dead letter, and decode under the wrong
     * schema ids. Tests on it still use unique ids, namespaces and application ids.
     */
    public static synchronized EmbeddedKafka catalogueBroker() {
        if (broker == null) {
            try {
                EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("arena-kafka-catalogue-"), 0,
                        Map.of(), true);
                Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "catalogue-kafka-shutdown"));
                broker = kafka;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot create a directory for the test broker", e);
            }
        }
        return broker;
    }

    private TestEvents() {
    }

    public static Endpoint endpoint(String id, String model, boolean reference, long at) {
        return Endpoint.newBuilder().setEndpointId(id).setProvider("prov-" + id).setModel(model).setSku("std")
                .setPrecision(reference ? "bf16" : "fp8").setDecoding("default").setRegion("us-east")
                .setGridZone("ZONE-A").setProtocol("openai-chat").setBaseUrl("http://localhost/v1")
                .setModelName(model).setReference(reference).setContextTokens(131072).setLogprobs(true)
                .setUpdatedAtMs(at).build();
    }

    public static synchronized ProbeResult probe(String endpoint, long at, double outputTps) {
        return ProbeResult.newBuilder().setProbeId("p-" + (++seq)).setEndpointId(endpoint).setRegion("us-east")
                .setAgentId("agent-1").setRound(seq).setScenario("timing-in1k-c1").setKind("timing")
                .setInputTokensTarget(1000).setConcurrency(1).setMaxTokens(256).setStartedAtMs(at).setOutcome("OK")
                .setE2eMs(1000.0).setTtftMs(100.0).setTtfvMs(100.0).setTpotMs(20.0).setOutputTps(outputTps)
                .setOutputTokens(200).setOutputTokensLocal(200).setInputTokensLocal(1000).build();
    }

    public static PriceQuote price(String endpoint, double in, double out, long at) {
        return PriceQuote.newBuilder().setEndpointId(endpoint).setInputUsdPerMtok(in).setOutputUsdPerMtok(out)
                .setBatchDiscount(0.5).setSource("test").setEffectiveFromMs(at).build();
    }

    public static FingerprintPosition position(Object... tokenAndProb) {
        List<TokenLogprob> top = new ArrayList<>();
        for (int i = 0; i < tokenAndProb.length; i += 2) {
            top.add(new TokenLogprob((String) tokenAndProb[i], Math.log((Double) tokenAndProb[i + 1])));
        }
        return new FingerprintPosition(top.get(0).getToken(), top.get(0).getLogprob(), top);
    }

    public static synchronized FingerprintSample fingerprint(String endpoint, String model, String prompt, long at,
                                                             List<FingerprintPosition> positions) {
        return FingerprintSample.newBuilder().setSampleId("s-" + (++seq)).setEndpointId(endpoint).setModel(model)
                .setPromptSet("fp-v1").setPromptId(prompt).setRunId("run-1").setSampledAtMs(at).setTopK(5)
                .setLogprobsAvailable(true).setCompletion("x").setPositions(new ArrayList<>(positions)).build();
    }

    /** The shipped params with min_prompts 2, written to a file for scoring.params.file. */
    public static Path minPrompts2Params(Path dir) throws IOException {
        String yaml;
        try (InputStream in = TestEvents.class.getClassLoader().getResourceAsStream("scoring/presets-v1.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!yaml.contains("min_prompts: 8")) {
            throw new IllegalStateException("presets-v1.yaml changed: no 'min_prompts: 8'");
        }
        Path file = dir.resolve("presets-min-prompts-2.yaml");
        Files.writeString(file, yaml.replace("min_prompts: 8", "min_prompts: 2"));
        return file;
    }

    /** The catalogue inputs plus the namespaced outputs of {@code ns}. */
    public static void createTopics(EmbeddedKafka kafka, String ns) {
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec<?> t : Topics.all()) {
            topics.add(t.newTopic((short) 1));
        }
        for (TopicSpec<?> t : List.of(Topics.COMPOSITES, Topics.LEADERBOARD, Topics.ALERTS, Topics.DLQ)) {
            topics.add(new NewTopic(ScoringTopology.outputTopic(t, ns), t.partitions(), (short) 1));
        }
        kafka.createTopics(topics);
    }

    public static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    public static <T extends SpecificRecord> void send(KafkaProducer<String, byte[]> producer,
                                                       SchemaRegistryClient registry, TopicSpec<T> topic,
                                                       String key, T value, long timestamp) {
        producer.send(new ProducerRecord<>(topic.name(), null, timestamp, key,
                AvroWireSerde.forTopic(topic, registry).encode(topic.name(), value)));
    }
}
