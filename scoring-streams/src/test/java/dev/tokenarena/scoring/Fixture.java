package dev.tokenarena.scoring;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** A TopologyTestDriver over the scoring topology with an in-memory registry. */
final class Fixture implements AutoCloseable {

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final DeadLetterCounter deadLetters = new DeadLetterCounter();
    final ScoringParams params;
    private long newestEventMs = Long.MIN_VALUE;
    final TopologyTestDriver driver;
    final TestInputTopic<String, Endpoint> endpoints;
    final TestInputTopic<String, ProbeResult> probes;
    final TestInputTopic<String, EvalItemResult> evals;
    final TestInputTopic<String, FingerprintSample> fingerprints;
    final TestInputTopic<String, PriceQuote> prices;
    final TestInputTopic<String, EnergyProfile> hardware;
    final TestInputTopic<String, GridIntensity> grid;
    final TestInputTopic<byte[], byte[]> rawProbes;
    final TestOutputTopic<String, EndpointComposite> composites;
    final TestOutputTopic<String, LeaderboardSnapshot> leaderboard;
    final TestOutputTopic<String, DriftAlert> alerts;
    final TestOutputTopic<byte[], byte[]> dlq;

    Fixture() throws Exception {
        this(ScoringParams.defaults());
    }

    Fixture(ScoringParams params) throws Exception {
        this.params = params;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scoring-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(Path.of("target"), "ttd-").toString());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(DeadLetterHandler.COUNTER_CONFIG, deadLetters);
        driver = new TopologyTestDriver(ScoringTopology.build(params, registry, ""), props);
        endpoints = input(Topics.ENDPOINTS);
        probes = input(Topics.PROBE_RESULTS);
        evals = input(Topics.EVAL_RESULTS);
        fingerprints = input(Topics.EVAL_FINGERPRINTS);
        prices = input(Topics.PRICES);
        hardware = input(Topics.HARDWARE);
        grid = input(Topics.GRID);
        rawProbes = driver.createInputTopic(Topics.PROBE_RESULTS.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        composites = output(Topics.COMPOSITES);
        leaderboard = output(Topics.LEADERBOARD);
        alerts = output(Topics.ALERTS);
        dlq = driver.createOutputTopic(Topics.DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    <T extends SpecificRecord> TestInputTopic<String, T> input(TopicSpec<T> topic) {
        return driver.createInputTopic(topic.name(), new StringSerializer(),
                AvroWireSerde.forTopic(topic, registry).serializer());
    }

    private <T extends SpecificRecord> TestOutputTopic<String, T> output(TopicSpec<T> topic) {
        return driver.createOutputTopic(topic.name(), new StringDeserializer(),
                AvroWireSerde.forTopic(topic, registry).deserializer());
    }

    /** Pipes a value keyed by endpoint_id at its event time (the extractor reads it anyway). */
    <T> void pipe(TestInputTopic<String, T> topic, String key, T value) {
        topic.pipeInput(key, value);
        followWallClock(EventTimeExtractor.eventTime(value));
    }

    /** One wall-clock emit interval passes: interim figures of the open windows are emitted. */
    void emitInterim() {
        driver.advanceWallClockTime(params.emitInterval());
    }

    /**
     * A live app reads events as they happen, so its wall clock runs with event time: the driver's
     * wall clock follows the newest event time piped, and wall-clock punctuations (the interim
     * window figures) fire as they would live.
     */
    private void followWallClock(long eventTimeMs) {
        if (eventTimeMs <= 0 || eventTimeMs <= newestEventMs) {
            return;
        }
        if (newestEventMs != Long.MIN_VALUE) {
            driver.advanceWallClockTime(java.time.Duration.ofMillis(eventTimeMs - newestEventMs));
        }
        newestEventMs = eventTimeMs;
    }

    <V> V store(String name, String key) {
        return driver.<String, V>getKeyValueStore(name).get(key);
    }

    @Override
    public void close() {
        driver.close();
    }
}
