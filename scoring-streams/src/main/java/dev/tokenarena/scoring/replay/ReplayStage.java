package dev.tokenarena.scoring.replay;

import dev.tokenarena.scoring.DeadLetterCounter;
import dev.tokenarena.scoring.DeadLetterHandler;
import dev.tokenarena.scoring.ScoringTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of a replay's two topologies in a {@link TopologyTestDriver} of its own: one task on the
 * calling thread, records piped in by topic, everything it makes handed to an output in the order
 * made. Its direct sinks write to that output themselves; dead letters (undecodable or invalid
 * records) come through the driver and are handed on after each record, stamped with that
 * record's timestamp (the driver would stamp undecodable ones with its own wall clock), so a
 * rerun hands on the same bytes and timestamps. Not thread-safe: one thread at a time.
 */
public final class ReplayStage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayStage.class);

    private final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private final String dlqTopic;
    private final ScoringTopology.DirectOutput output;
    private final Path stateDir;

    /**
     * @param name names the driver (application id {@code arena-replay-<name>}) and its state directory
     * @param topology a stage built by {@link ScoringTopology#buildReplayProbeStage} or
     *                 {@link ScoringTopology#buildReplayScoringStage}, whose direct output is {@code output}
     * @param inputs the topics this stage reads
     * @param dlqTopic the namespaced DLQ topic the topology and the deserialization handler write
     * @param workDir parent of the stage's state directory (deleted on close)
     */
    public ReplayStage(String name, Topology topology, Collection<String> inputs, String dlqTopic,
                       DeadLetterCounter deadLetterCounter, ScoringTopology.DirectOutput output, Path workDir) {
        this.dlqTopic = dlqTopic;
        this.output = output;
        try {
            Files.createDirectories(workDir);
            this.stateDir = Files.createTempDirectory(workDir, "replay-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the replay state directory under " + workDir, e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "arena-replay-" + name);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay.invalid:9092"); // the driver connects to nothing
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(ScoringTopology.replayDriverConfig());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(DeadLetterHandler.DLQ_TOPIC_CONFIG, dlqTopic);
        props.put(DeadLetterHandler.COUNTER_CONFIG, deadLetterCounter);
        this.driver = new TopologyTestDriver(topology, props, Instant.EPOCH);
        for (String topic : inputs) {
            this.inputs.put(topic, driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer()));
        }
        this.deadLetters = driver.createOutputTopic(dlqTopic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Whether this stage reads {@code topic}. */
    public boolean reads(String topic) {
        return inputs.containsKey(topic);
    }

    /** Processes one record of an input topic, with the punctuations its timestamp makes due. */
    public void pipe(String topic, byte[] key, byte[] value, Headers headers, long timestampMs) {
        TestInputTopic<byte[], byte[]> in = inputs.get(topic);
        if (in == null) {
            throw new IllegalArgumentException("this replay stage does not read " + topic);
        }
        in.pipeInput(new TestRecord<>(key, value, headers, Instant.ofEpochMilli(timestampMs)));
        handOnDeadLetters(timestampMs);
    }

    /** Moves the wall clock on: the interim emissions; dead letters (none expected) get {@code stampMs}. */
    public void advanceWallClock(Duration by, long stampMs) {
        driver.advanceWallClockTime(by);
        handOnDeadLetters(stampMs);
    }

    private void handOnDeadLetters(long timestampMs) {
        if (deadLetters.isEmpty()) {
            return;
        }
        for (TestRecord<byte[], byte[]> r : deadLetters.readRecordsToList()) {
            output.send(dlqTopic, r.key(), r.value(), timestampMs, new RecordHeaders(r.headers().toArray()));
        }
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            try (Stream<Path> paths = Files.walk(stateDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                LOG.warn("could not delete replay state {}: {}", stateDir, e.getMessage());
            }
        }
    }
}
