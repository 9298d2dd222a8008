package dev.tokenarena.scoring.replay;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.scoring.DeadLetterCounter;
import dev.tokenarena.scoring.PreDecoded;
import dev.tokenarena.scoring.ScoringParams;
import dev.tokenarena.scoring.ScoringTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A replay's two stages and the order records pass them: the probe stage
 * ({@link ScoringTopology#buildReplayProbeStage}) and the scoring stage
 * ({@link ScoringTopology#buildReplayScoringStage}), each in its own {@link ReplayStage}.
 *
 * <p>Each input record is one {@link Step}. {@link #probeStep} runs it through the probe stage: a
 * probe result is processed there; any other record only moves the probe stage's stream time to
 * its event time (a clock tick, {@link ScoringTopology#REPLAY_CLOCK_HEADER}), so the probe windows
 * close as they would if one task read every input. What the
 * probe stage makes is kept on the step. {@link #scoringStep} then runs the record itself (unless
 * it is a probe result) through the scoring stage, and after it what the probe stage made: stats,
 * needle and canary probes into the scoring stage, dead letters to the output. The output thus
 * depends only on the sequence of steps, not on how the two calls are spread over threads: the
 * replayer calls {@link #probeStep} on one thread and {@link #scoringStep} on another, in the
 * same order, and a test calls {@link #pipe} for both in turn.
 */
public final class ReplayPipeline implements AutoCloseable {

    /** Inputs of the scoring stage besides the probe stage's edges. */
    static final List<TopicSpec<?>> SCORING_INPUTS = List.of(Topics.ENDPOINTS, Topics.PRICES, Topics.HARDWARE,
            Topics.GRID, Topics.EVAL_RESULTS, Topics.EVAL_FINGERPRINTS);

    /** One record a stage made, for the other stage or the output. */
    record Made(String topic, byte[] key, byte[] value, long timestampMs, Headers headers) {
    }

    /**
     * One step of a replay: an input record, or (when {@code wallClockAdvance} is set) the wall
     * clock moving on; what the probe stage made for it is added by {@link #probeStep}.
     */
    public static final class Step {
        final String topic;
        final byte[] key;
        final byte[] value;
        final Headers headers;
        final long timestampMs;
        final long eventTimeMs;
        final Duration wallClockAdvance;
        /** The value decoded already (by the reader), or null. */
        final Object decoded;
        final List<Made> made = new ArrayList<>(2);

        private Step(String topic, byte[] key, byte[] value, Headers headers, long timestampMs, long eventTimeMs,
                     Duration wallClockAdvance, Object decoded) {
            this.decoded = decoded;
            this.topic = topic;
            this.key = key;
            this.value = value;
            this.headers = headers == null ? new RecordHeaders() : headers;
            this.timestampMs = timestampMs;
            this.eventTimeMs = eventTimeMs;
            this.wallClockAdvance = wallClockAdvance;
        }

        /**
         * An input record of {@code topic}: {@code timestampMs} is its record timestamp,
         * {@code eventTimeMs} the time the topology's timestamp extractor reads from it.
         */
        public static Step record(String topic, byte[] key, byte[] value, Headers headers, long timestampMs,
                                  long eventTimeMs) {
            return record(topic, key, value, headers, timestampMs, eventTimeMs, null);
        }

        /**
         * As {@link #record(String, byte[], byte[], Headers, long, long)}, with the value already
         * decoded from {@code value} (a probe result the probe stage then does not decode again).
         */
        public static Step record(String topic, byte[] key, byte[] value, Headers headers, long timestampMs,
                                  long eventTimeMs, Object decoded) {
            return new Step(Objects.requireNonNull(topic, "topic"), key, value, headers, timestampMs, eventTimeMs,
                    null, decoded);
        }

        /** The wall clock moves on by {@code by}; dead letters it causes are stamped {@code stampMs}. */
        public static Step wallClock(Duration by, long stampMs) {
            return new Step(null, null, null, null, stampMs, stampMs, Objects.requireNonNull(by, "by"), null);
        }
    }

    /** Headers of a clock tick (the driver copies them into each record). */
    private static final Headers CLOCK_TICK = new RecordHeaders(new Header[] {
        new RecordHeader(ScoringTopology.REPLAY_CLOCK_HEADER, new byte[0])});

    private final PreDecoded preDecoded = new PreDecoded();
    private final ReplayStage probeStage;
    private final ReplayStage scoringStage;
    private final ScoringTopology.DirectOutput output;
    /** Where the probe stage's direct sinks put what they make: the step being run. */
    private List<Made> making;
    private long probeStreamTimeMs = Long.MIN_VALUE;

    /**
     * @param output receives composites, leaderboards, alerts and dead letters, serialized as the
     *               live app writes them, in the order made, on the thread that calls {@link #scoringStep}
     */
    public ReplayPipeline(ScoringParams params, SchemaRegistryClient registry, String namespace,
                          DeadLetterCounter deadLetters, ScoringTopology.DirectOutput output, Path workDir) {
        this.output = Objects.requireNonNull(output, "output");
        String dlq = ScoringTopology.outputTopic(Topics.DLQ, namespace);
        List<String> edges = ScoringTopology.replayEdgeTopics(params);
        ScoringTopology.DirectOutput keep = (topic, key, value, ts, headers) ->
                making.add(new Made(topic, key, value, ts, headers));
        ReplayStage probes = new ReplayStage(namespace + "-probes",
                ScoringTopology.buildReplayProbeStage(params, registry, namespace, keep, preDecoded),
                List.of(Topics.PROBE_RESULTS.name()), dlq, deadLetters, keep,
                workDir);
        try {
            this.scoringStage = new ReplayStage(namespace + "-scoring",
                    ScoringTopology.buildReplayScoringStage(params, registry, namespace, output),
                    Stream.concat(SCORING_INPUTS.stream().map(TopicSpec::name), edges.stream()).toList(), dlq,
                    deadLetters, output, workDir);
        } catch (RuntimeException e) {
            probes.close();
            throw e;
        }
        this.probeStage = probes;
    }

    /** The probe half of a step (see the class comment); call in step order, on one thread at a time. */
    public Step probeStep(Step step) {
        making = step.made;
        try {
            if (step.wallClockAdvance != null) {
                probeStage.advanceWallClock(step.wallClockAdvance, step.timestampMs);
            } else if (Topics.PROBE_RESULTS.name().equals(step.topic)) {
                if (step.decoded != null) {
                    preDecoded.offer(step.value, step.decoded);
                }
                probeStage.pipe(step.topic, step.key, step.value, step.headers, step.timestampMs);
            } else if (step.eventTimeMs > probeStreamTimeMs) {
                // only a later time can make a punctuation due (probes are not counted: an
                // undecodable one does not move stream time)
                probeStreamTimeMs = step.eventTimeMs;
                probeStage.pipe(Topics.PROBE_RESULTS.name(), null, null, CLOCK_TICK, step.eventTimeMs);
            }
        } finally {
            making = null;
            preDecoded.clear();
        }
        return step;
    }

    /** The scoring half of a step that has been through {@link #probeStep}; in step order, one thread at a time. */
    public void scoringStep(Step step) {
        if (step.wallClockAdvance != null) {
            scoringStage.advanceWallClock(step.wallClockAdvance, step.timestampMs);
        } else if (!Topics.PROBE_RESULTS.name().equals(step.topic)) {
            scoringStage.pipe(step.topic, step.key, step.value, step.headers, step.timestampMs);
        }
        for (Made m : step.made) {
            if (scoringStage.reads(m.topic())) {
                scoringStage.pipe(m.topic(), m.key(), m.value(), m.headers(), m.timestampMs());
            } else {
                output.send(m.topic(), m.key(), m.value(), m.timestampMs(), m.headers());
            }
        }
    }

    /** Both halves of a step on the calling thread. */
    public void pipe(Step step) {
        scoringStep(probeStep(step));
    }

    @Override
    public void close() {
        try {
            probeStage.close();
        } finally {
            scoringStage.close();
        }
    }
}
