package dev.tokenarena.scoring;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.CanaryReference;
import dev.tokenarena.scoring.avro.CanarySignal;
import dev.tokenarena.scoring.avro.EndpointSummary;
import dev.tokenarena.scoring.avro.EvalWindowAgg;
import dev.tokenarena.scoring.avro.FidelityEndpointState;
import dev.tokenarena.scoring.avro.FidelityObservation;
import dev.tokenarena.scoring.avro.FidelityStats;
import dev.tokenarena.scoring.avro.ReferenceCompletions;
import dev.tokenarena.scoring.avro.NeedleState;
import dev.tokenarena.scoring.avro.ProbeEndpointState;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import dev.tokenarena.scoring.avro.QualityStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The scoring topology (DESIGN section 7), built by a pure function of the scoring params, the
 * registry the serdes use, and the output namespace. Event time throughout (see
 * {@link EventTimeExtractor}); no wall clock: "now" is stream time.
 *
 * <pre>
 * probe.results ─validate─┬─ 5m/1h buckets ─ 1h, 24h, 7d stats (punctuated) ─ tables ┐
 *                         └─ kind=needle ─ latest 3 per length ─ effective context ──┤
 * eval.results ──validate── 24h/1h windows ─ trailing window ─ quality (table) ──────┤
 * eval.fingerprints ─validate─ join endpoints (reference?) ─ by (model, prompt) ─    │
 *     compare with latest reference ─ by endpoint ─ F per endpoint (table) ──────────┤
 *                                            └─ FIDELITY rule ─┐                     │
 * probe stats ─ AVAILABILITY, TTFT_P99 rules ───────────────────┤ (drift-alert-state) │
 * eval.results ─ ACCURACY rule; prices ─ PRICE rule ────────────┤                     │
 * probes kind=canary ─ join endpoints ─ by (model, canary) ─    │                     │
 *     reference answers ─ by endpoint ─ CANARY_HASH rule ───────┴─ alerts.drift       │
 * endpoints / prices / hardware (tables), grid (global) ─ summary per endpoint ◄─────┘
 *     ─ by model ─ cohort composites (punctuated) ─ composites ─ by preset ─ leaderboard
 * invalid records ─ DLQ (reason headers); undecodable records ─ DeadLetterHandler ─ DLQ
 * </pre>
 *
 * <p>Time table of the main joins (stream time advances with event time of the inputs):
 * <pre>
 * time  | stream                   | table state                 | output
 * 10:00 | probe e1 (ttft 100)      | endpoints{e1}, prices{e1}   | summary e1 (probe stats [09:05,10:05))
 * 10:00 | fingerprint e1 p1        | endpoints{e1: reference=no} | tagged(e1, no) → compared with ref of p1
 * 10:01 | probe e2 (model m)       | grid{zone of e2}            | summary e2 + grid → cohort m changed
 * 10:01 | (punctuation, 1 min)     | cohort m {e1, e2}           | composites e1, e2 × presets
 * 10:02 | (punctuation, 1 min)     | leaderboard {chat: e1, e2}  | snapshot chat
 * </pre>
 * A change of a GlobalKTable (grid) does not re-trigger summaries; it applies from the
 * endpoint's next summary update (the next probe window step).
 */
public final class ScoringTopology {

    /** Names this component in DLQ headers. */
    public static final String COMPONENT = "scoring-streams";

    /** 5-minute and hourly probe buckets per endpoint (ProbeBuckets keys); the API's history reads it. */
    static final String PROBE_BUCKETS_STORE = "probe-buckets";
    static final String PROBE_ENDPOINT_STATE_STORE = "probe-endpoint-state";
    static final String PROBE_STATS_STORE = "probe-stats";
    /** Stores of a further probe window (windows.probe_extra) are these names + "-" + its label. */
    static final String PROBE_EXTRA_STORE_SUFFIX_SEPARATOR = "-";
    static final String NEEDLE_STORE = "needle-state";
    static final String EVAL_WINDOWS_STORE = "eval-windows";
    static final String EVAL_TRAILING_STORE = "eval-trailing-window-end";
    static final String QUALITY_STORE = "quality-stats";
    static final String REFERENCE_STORE = "fidelity-reference-samples";
    static final String NOISE_STORE = "fidelity-reference-noise";
    /** The reference's latest completions per (model, prompt), for the sample-only test. */
    static final String REFERENCE_COMPLETIONS_STORE = "fidelity-reference-completions";
    static final String FIDELITY_ENDPOINT_STORE = "fidelity-endpoint-state";
    static final String FIDELITY_STATS_STORE = "fidelity-stats";
    static final String ALERT_STORE = "drift-alert-state";
    static final String CANARY_REFERENCE_STORE = "canary-reference-hashes";
    static final String COHORT_STORE = "cohort-summaries";
    static final String COHORT_CHANGED_STORE = "cohort-changed";
    static final String LEADERBOARD_STORE = "leaderboard-composites";
    static final String LEADERBOARD_CHANGED_STORE = "leaderboard-changed";
    static final String ENDPOINTS_STORE = "endpoints-table";
    static final String PRICES_STORE = "prices-table";
    static final String HARDWARE_STORE = "hardware-table";
    static final String GRID_STORE = "grid-global";

    /**
     * Separates the parts of a compound store key. Unit separator: ids and model names are
     * printable, so it cannot occur in them, and prefix scans on "part1 + SEP" are exact.
     */
    static final char KEY_SEPARATOR = '\u001f';

    private ScoringTopology() {
    }

    /** What an output namespace may be: it ends the names of the output topics, {@code <topic>.NAME}. */
    private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,100}");
    /** Says what {@link #isNamespace} accepts, for error messages. */
    public static final String NAMESPACE_RULE = "1 to 100 letters, digits, '_' or '-'";

    /** Whether {@code name} can be an output namespace ({@link #NAMESPACE_RULE}); the one check of it. */
    public static boolean isNamespace(String name) {
        return name != null && NAMESPACE.matcher(name).matches();
    }

    /** The output topic of a catalogue topic under a namespace (null or blank: the v1 topic). */
    public static String outputTopic(TopicSpec<?> topic, String namespace) {
        return namespace == null || namespace.isBlank() ? topic.name() : topic.name() + "." + namespace.trim();
    }

    /** The trailing probe-stats store of a further probe window, e.g. probe-stats-24h. */
    static String probeStatsStore(String windowLabel) {
        return PROBE_STATS_STORE + PROBE_EXTRA_STORE_SUFFIX_SEPARATOR + windowLabel;
    }

    static String compositeKey(String first, String second) {
        return first + KEY_SEPARATOR + second;
    }

    /**
     * Receives the records of the output topics (composites, leaderboards, alerts) of a replay
     * topology, serialized exactly as the live sinks would write them, in the order they are made,
     * on the thread that drives the topology.
     */
    @FunctionalInterface
    public interface DirectOutput {
        void send(String topic, byte[] key, byte[] value, long timestampMs, Headers headers);
    }

    /** Builds the live topology; pure (no I/O until the serdes first run). */
    public static Topology build(ScoringParams params, SchemaRegistryClient registry, String outputNamespace) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(registry, "registry");
        return new Builder(params, registry, outputNamespace, null, Mode.LIVE, null).build();
    }

    /**
     * Header of a replay's clock ticks: empty records on the probe topic that only move the probe
     * stage's stream time on. The replay sends one at the event time of each record that is not a
     * probe, so the probe windows close as they would in one task that read all inputs; the probe
     * stage drops them before validation (see {@link #buildReplayProbeStage}). A tick on the probe
     * topic itself, not on a topic of its own: with one source topic the test driver compiles no
     * regex per record (7 % of the probe stage).
     */
    public static final String REPLAY_CLOCK_HEADER = "arena.replay.clock";
    /** Prefix of the topics between a replay's two stages (never created in Kafka). */
    static final String REPLAY_EDGE_PREFIX = "arena-replay-edge-";
    private static final String REPLAY_NEEDLE_EDGE = REPLAY_EDGE_PREFIX + "needle-probes";
    private static final String REPLAY_CANARY_EDGE = REPLAY_EDGE_PREFIX + "canary-probes";

    /**
     * The probe half of a replay: probe results validated, their probe windows (1 h, 24 h, 7 d
     * stats per endpoint), needle probes and canary probes, each handed to {@code edges} as the
     * records the live app writes to its repartition topics between the probe sub-topology and the
     * joins (topics {@link #replayEdgeTopics}); invalid probes go to the DLQ through the driver.
     * It reads only probe results, among them the replay's clock ticks ({@link #REPLAY_CLOCK_HEADER}).
     *
     * <p>Why a replay runs in two stages: the probe path is most of a replay's work and most of
     * its records, and a {@link org.apache.kafka.streams.TopologyTestDriver} matches every record
     * piped against every source topic of its topology by regex and then commits every store.
     * Alone, the probe path has one source and two stores, and the scoring stage gets about one
     * record in ten. The two stages also run on two threads.
     *
     * @param preDecoded probe results the replay's reader decoded already, taken by the source in
     *                   place of decoding their bytes again; null: the source decodes every record
     */
    public static Topology buildReplayProbeStage(ScoringParams params, SchemaRegistryClient registry,
                                                 String outputNamespace, DirectOutput edges, PreDecoded preDecoded) {
        return replayStage(params, registry, outputNamespace, edges, Mode.PROBE_STAGE, preDecoded);
    }

    /**
     * The scoring half of a replay: everything but the probe path, reading the probe stage's
     * output ({@link #replayEdgeTopics}) where the live app reads its repartition topics. What
     * only serves a distributed, restartable run is left out:
     * <ul>
     *   <li>stores are in memory and write no changelog (a replay is rerun, never restored);
     *   <li>records re-keyed for a processor (fingerprints and canaries by model, summaries by
     *       model, composites by preset, canary signals back by endpoint) go straight to it instead
     *       of through a repartition topic (one task holds every key);
     *   <li>composites, leaderboards and alerts go to {@code output}, serialized as their sinks
     *       would, instead of through the driver's producer (dead letters still go through it).
     * </ul>
     * Drivers of either stage need {@link #replayDriverConfig()}.
     */
    public static Topology buildReplayScoringStage(ScoringParams params, SchemaRegistryClient registry,
                                                   String outputNamespace, DirectOutput output) {
        return replayStage(params, registry, outputNamespace, output, Mode.SCORING_STAGE, null);
    }

    private static Topology replayStage(ScoringParams params, SchemaRegistryClient registry, String outputNamespace,
                                        DirectOutput output, Mode mode, PreDecoded preDecoded) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(output, "output");
        return new Builder(params, registry, outputNamespace, output, mode, preDecoded).build();
    }

    /** The topics a replay's probe stage writes and its scoring stage reads: stats per window label, needles, canaries. */
    public static List<String> replayEdgeTopics(ScoringParams params) {
        List<String> out = new ArrayList<>();
        windowLabels(params).forEach(label -> out.add(replayStatsEdge(label)));
        out.add(REPLAY_NEEDLE_EDGE);
        out.add(REPLAY_CANARY_EDGE);
        return out;
    }

    /** The probe windows' labels: the main 1 h window, then the further ones (24 h, 7 d). */
    private static List<String> windowLabels(ScoringParams params) {
        List<String> labels = new ArrayList<>();
        labels.add(CohortScoring.PROBE_WINDOW_LABEL);
        params.probeExtraWindows().forEach(w -> labels.add(w.label()));
        return labels;
    }

    private static String replayStatsEdge(String windowLabel) {
        return REPLAY_EDGE_PREFIX + "probe-stats-" + windowLabel;
    }

    /** Needle probes: effective context. */
    private static boolean isNeedle(ProbeResult p) {
        return "needle".equals(p.getKind());
    }

    /** Canary probes that answered: compared with the reference's answers. */
    private static boolean isCanaryAnswer(ProbeResult p) {
        return "canary".equals(p.getKind()) && "OK".equals(p.getOutcome()) && p.getCanaryId() != null
                && p.getResponseSha256() != null;
    }

    /** The Streams settings the drivers of a replay's two stages need, beside their own ids and state dirs. */
    public static Map<String, Object> replayDriverConfig() {
        return Map.of(
                // the DSL's own stores in memory too, like the replay stages' own
                StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class,
                // The driver holds every record before it is processed, so there is nothing to wait
                // for; with the default (0) Kafka 4.3 formats a diagnostic line per empty input
                // partition on every readiness check anyway (16-19 % of a replay's CPU). The order
                // is unchanged.
                StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED,
                // The driver commits, so flushes every cache, after each record: a cache would
                // only add a copy and a flush per update, never save a write.
                StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    }

    /** What a builder wires: the live app, or one of a replay's two stages. */
    private enum Mode { LIVE, PROBE_STAGE, SCORING_STAGE }

    /** Holds the serdes while one topology is wired. */
    private static final class Builder {
        private final ScoringParams params;
        private final SchemaRegistryClient registry;
        private final String namespace;
        private final StreamsBuilder sb = new StreamsBuilder();
        private final Serde<String> str = Serdes.String();
        private final EventTimeExtractor eventTime = new EventTimeExtractor();
        /** Null for the live topology; a replay stage's receiver of its output topics otherwise. */
        private final DirectOutput replayOutput;
        private final Mode mode;
        private final boolean durable;
        /** A replay probe stage's values decoded by the reader (null: the source decodes everything). */
        private final PreDecoded preDecoded;

        Builder(ScoringParams params, SchemaRegistryClient registry, String namespace, DirectOutput replayOutput,
                Mode mode, PreDecoded preDecoded) {
            this.preDecoded = preDecoded;
            this.params = params;
            this.registry = registry;
            this.namespace = namespace;
            this.replayOutput = replayOutput;
            this.mode = mode;
            this.durable = mode == Mode.LIVE;
        }

        /** Writes a stream to an output topic: a sink in the live app, the direct output in a replay. */
        private <V> void sink(KStream<String, V> stream, String topic, Serde<V> valueSerde, String name) {
            if (durable) {
                stream.to(topic, Produced.with(str, valueSerde).withName(name));
            } else {
                stream.process(() -> new DirectSink<>(topic, str.serializer(), valueSerde.serializer(), replayOutput),
                        Named.as(name));
            }
        }

        /** A DSL store named name, logged or not by the mode (the supplier comes from the config). */
        private <V, S extends StateStore> Materialized<String, V, S> materialized(String name, Serde<V> valueSerde) {
            Materialized<String, V, S> m = Materialized.<String, V, S>as(name).withKeySerde(str).withValueSerde(valueSerde);
            return durable ? m : m.withLoggingDisabled();
        }

        private <T extends SpecificRecord> AvroWireSerde<T> serde(TopicSpec<T> topic) {
            return AvroWireSerde.forTopic(topic, registry);
        }

        private <T extends SpecificRecord> AvroWireSerde<T> internal(Class<T> type) {
            return AvroWireSerde.forType(type, registry);
        }

        private <T> Consumed<String, T> consumed(Serde<T> serde, String name) {
            return Consumed.with(str, serde).withTimestampExtractor(eventTime).withName(name);
        }

        private <T extends SpecificRecord> KTable<String, T> table(TopicSpec<T> topic, String storeName) {
            AvroWireSerde<T> serde = serde(topic);
            return sb.table(topic.name(), consumed(serde, storeName + "-source"),
                    this.<T, KeyValueStore<Bytes, byte[]>>materialized(storeName, serde));
        }

        /** A record and its endpoint's catalogue entry (null when the catalogue has none). */
        private record WithEndpoint<V>(V value, Endpoint endpoint) {
        }

        /** The valid records of an event topic; the others go to the DLQ through a named branch. */
        private <T extends SpecificRecord> KStream<String, T> validated(TopicSpec<T> topic,
                                                                        Validation.Validator<T> validator,
                                                                        String name) {
            AvroWireSerde<T> serde = serde(topic);
            Serde<T> source = preDecoded == null ? serde
                    : Serdes.serdeFrom(serde.serializer(), preDecoded.over(topic.valueType(), serde.deserializer()));
            KStream<String, T> in = sb.stream(topic.name(), consumed(source, name + "-source"));
            if (mode == Mode.PROBE_STAGE) {
                in = in.processValues(ReplayClockFilter::new, Named.as(name + "-drop-replay-clock"));
            }
            return in.split(Named.as(name + "-"))
                    .branch((k, v) -> validator.reason(k, v) != null, Branched.withConsumer(bad ->
                            toDeadLetters(bad, validator, serde, topic.name(), name + "-divert-invalid", name),
                            "invalid"))
                    .defaultBranch(Branched.as("valid"))
                    .get(name + "-valid");
        }

        /** Writes records that cannot be scored to the DLQ, each with the validator's reason (counted, logged). */
        private <V> void toDeadLetters(KStream<String, V> bad, Validation.Validator<V> validator, Serde<V> serde,
                                       String sourceTopic, String diverterName, String name) {
            bad.process(() -> new InvalidRecordDiverter<>(validator, serde.serializer(), sourceTopic),
                            Named.as(diverterName))
                    .to(outputTopic(Topics.DLQ, namespace), Produced.with(str, Serdes.ByteArray())
                            .withName(name + "-dlq-sink"));
        }

        /**
         * Joins a stream keyed by endpoint with the catalogue. A record whose endpoint the catalogue
         * does not hold goes to the DLQ with that reason (logged and counted) where an inner join
         * would drop it silently: an endpoint is catalogued before it is probed or evaluated, so
         * such a record is either misaddressed or read ahead of its catalogue entry in a catch-up
         * (more likely with task idling off, {@code max.task.idle.ms=-1}); the dead letter keeps it.
         */
        private <V> KStream<String, WithEndpoint<V>> withEndpoint(KStream<String, V> stream,
                                                                  KTable<String, Endpoint> endpoints, Serde<V> serde,
                                                                  String sourceTopic, String name) {
            Validation.Validator<V> unknown = (k, v) -> "endpoint '" + k + "' is not in the catalogue ("
                    + Topics.ENDPOINTS.name() + ") when this record is scored";
            return stream.leftJoin(endpoints, WithEndpoint<V>::new,
                            Joined.with(str, serde, serde(Topics.ENDPOINTS)).withName(name))
                    .split(Named.as(name + "-"))
                    .branch((k, j) -> j.endpoint() == null, Branched.withConsumer(bad -> toDeadLetters(
                            bad.mapValues(WithEndpoint::value, Named.as(name + "-unknown-values")),
                            unknown, serde, sourceTopic, name + "-divert-unknown", name), "unknown"))
                    .defaultBranch(Branched.as("known"))
                    .get(name + "-known");
        }

        private <V> void keyValueStore(String name, Serde<V> valueSerde) {
            sb.addStateStore(keyValueStoreBuilder(name, valueSerde));
        }

        /** A store whose processor writes some of its values just before each commit (see {@link WriteBehindStore}). */
        private <V> void writeBehindStore(String name, Serde<V> valueSerde) {
            StoreBuilder<KeyValueStore<String, V>> store = keyValueStoreBuilder(name, valueSerde);
            sb.addStateStore(durable ? WriteBehindStore.builder(store) : store);
        }

        private <V> StoreBuilder<KeyValueStore<String, V>> keyValueStoreBuilder(String name, Serde<V> valueSerde) {
            StoreBuilder<KeyValueStore<String, V>> store = Stores.keyValueStoreBuilder(
                    durable ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name),
                    str, valueSerde);
            // Cached like the DSL's stores: repeated writes of one key between two commits reach
            // RocksDB and the changelog once.
            return durable ? store.withCachingEnabled() : store.withLoggingDisabled();
        }

        /**
         * Brings the records of one new key to one task, or moves a stream to another sub-topology
         * with the same key: a repartition topic in the live app; a replay runs in one task and
         * hands them on directly (see {@link #buildReplayScoringStage}). Where a toTable() follows a
         * process(), the DSL puts its own repartition before the table in a replay.
         */
        private <V> KStream<String, V> byKey(KStream<String, V> rekeyed, Repartitioned<String, V> how) {
            return durable ? rekeyed.repartition(how) : rekeyed;
        }

        /** The probe stats of one window label as a table, keyed by endpoint. */
        private KTable<String, ProbeStats> probeStatsTable(KStream<String, ProbeStats> updates, String suffix) {
            return updates.toTable(Named.as("probe-stats-table" + suffix),
                    this.<ProbeStats, KeyValueStore<Bytes, byte[]>>materialized(PROBE_STATS_STORE + suffix,
                            internal(ProbeStats.class)));
        }

        /** The probe-window processor over validated probes: every window label's trailing stats per endpoint. */
        private KStream<String, ProbeWindowProcessor.WindowStats> probeWindows(KStream<String, ProbeResult> probes) {
            writeBehindStore(PROBE_BUCKETS_STORE, internal(ProbeWindowAgg.class));
            writeBehindStore(PROBE_ENDPOINT_STATE_STORE, internal(ProbeEndpointState.class));
            return probes.process(
                    // a replay is never restored: it needs no commit hook (see the processor)
                    () -> new ProbeWindowProcessor(PROBE_BUCKETS_STORE, PROBE_ENDPOINT_STATE_STORE, params,
                            CohortScoring.PROBE_WINDOW_LABEL, !durable),
                    Named.as("probe-windows"), PROBE_BUCKETS_STORE, PROBE_ENDPOINT_STATE_STORE);
        }

        /** One label's stats out of the probe windows. */
        private static KStream<String, ProbeStats> windowLabel(KStream<String, ProbeWindowProcessor.WindowStats> stats,
                                                               String label, String filterName, String valuesName) {
            return stats.filter((k, ws) -> label.equals(ws.label()), Named.as(filterName))
                    .mapValues(ProbeWindowProcessor.WindowStats::stats, Named.as(valuesName));
        }

        /** A stream a replay's scoring stage reads from its probe stage. */
        private <V> KStream<String, V> fromProbeStage(String topic, Serde<V> serde) {
            return sb.stream(topic, consumed(serde, topic + "-source"));
        }

        /** See {@link ScoringTopology#buildReplayProbeStage}. */
        private Topology buildProbeStage() {
            KStream<String, ProbeResult> probes = validated(Topics.PROBE_RESULTS, Validation::probe, "probe-results");
            AvroWireSerde<ProbeResult> probeSerde = serde(Topics.PROBE_RESULTS);
            KStream<String, ProbeWindowProcessor.WindowStats> windowStats = probeWindows(probes);
            for (String label : windowLabels(params)) {
                String edge = replayStatsEdge(label);
                sink(windowLabel(windowStats, label, edge, edge + "-values"), edge, internal(ProbeStats.class),
                        edge + "-sink");
            }
            sink(probes.filter((k, v) -> isNeedle(v), Named.as(REPLAY_NEEDLE_EDGE)), REPLAY_NEEDLE_EDGE, probeSerde,
                    REPLAY_NEEDLE_EDGE + "-sink");
            sink(probes.filter((k, v) -> isCanaryAnswer(v), Named.as(REPLAY_CANARY_EDGE)), REPLAY_CANARY_EDGE,
                    probeSerde, REPLAY_CANARY_EDGE + "-sink");
            return sb.build();
        }

        Topology build() {
            if (mode == Mode.PROBE_STAGE) {
                return buildProbeStage();
            }
            ScoringParams.Windows w = params.windows();
            KTable<String, Endpoint> endpoints = table(Topics.ENDPOINTS, ENDPOINTS_STORE);
            KTable<String, PriceQuote> prices = table(Topics.PRICES, PRICES_STORE);
            KTable<String, EnergyProfile> hardware = table(Topics.HARDWARE, HARDWARE_STORE);
            AvroWireSerde<GridIntensity> gridSerde = serde(Topics.GRID);
            GlobalKTable<String, GridIntensity> grid = sb.globalTable(Topics.GRID.name(),
                    consumed(gridSerde, GRID_STORE + "-source"),
                    this.<GridIntensity, KeyValueStore<Bytes, byte[]>>materialized(GRID_STORE, gridSerde));

            // a. probe stats over the trailing hour (in a replay, from the probe stage)
            boolean live = mode == Mode.LIVE;
            KStream<String, ProbeResult> probes = live
                    ? validated(Topics.PROBE_RESULTS, Validation::probe, "probe-results") : null;
            AvroWireSerde<ProbeResult> probeSerde = serde(Topics.PROBE_RESULTS);
            // One processor keeps 5-minute and hourly buckets per endpoint and emits every window
            // label's trailing stats each emit interval (ProbeWindowProcessor says why not hopping
            // windows). process() may change keys as far as the DSL knows, so each label's toTable
            // gets a (named) repartition topic: one small record per endpoint and emit interval.
            KStream<String, ProbeWindowProcessor.WindowStats> windowStats = live ? probeWindows(probes) : null;
            // The probe path is kept in a sub-topology of its own, whose tasks read one partition:
            // its stats, needle and canary probes reach the endpoint-keyed joins through repartition
            // topics (same key). Why: Kafka 4.3 formats a diagnostic line for every empty input
            // partition of a task on each record's readiness check (PartitionGroup.readyToProcess),
            // and the join sub-topology has a dozen mostly empty inputs; probes are most of the
            // records. The 1 h stats keep the repartition topic name toTable() would give them.
            KStream<String, ProbeStats> probeStatsUpdates = live
                    ? windowLabel(windowStats, CohortScoring.PROBE_WINDOW_LABEL, "probe-stats-main",
                            "probe-stats-main-values")
                            .repartition(Repartitioned.<String, ProbeStats>as("probe-stats-table")
                                    .withKeySerde(str).withValueSerde(internal(ProbeStats.class)))
                    : fromProbeStage(replayStatsEdge(CohortScoring.PROBE_WINDOW_LABEL), internal(ProbeStats.class));
            KTable<String, ProbeStats> probeStats = probeStatsTable(probeStatsUpdates, "");
            // further windows (24 h, 7 d): their own trailing stats, joined into the summary by label
            Map<String, KTable<String, ProbeStats>> extraProbeStats = new java.util.LinkedHashMap<>();
            for (ScoringParams.ProbeWindow pw : params.probeExtraWindows()) {
                String suffix = PROBE_EXTRA_STORE_SUFFIX_SEPARATOR + pw.label();
                KStream<String, ProbeStats> updates = live
                        ? windowLabel(windowStats, pw.label(), "probe-stats" + suffix, "probe-stats-values" + suffix)
                        : fromProbeStage(replayStatsEdge(pw.label()), internal(ProbeStats.class));
                extraProbeStats.put(pw.label(), probeStatsTable(updates, suffix));
            }

            // b. effective context from needle probes
            int keep = params.needleLastResults();
            KStream<String, ProbeResult> needleProbes = live
                    ? probes.filter((k, v) -> isNeedle(v), Named.as("needle-probes"))
                            .repartition(Repartitioned.<String, ProbeResult>as("needle-probes-by-endpoint")
                                    .withKeySerde(str).withValueSerde(probeSerde))
                    : fromProbeStage(REPLAY_NEEDLE_EDGE, probeSerde);
            KTable<String, Long> effectiveContext = needleProbes
                    .groupByKey(Grouped.with("needle-probes-by-endpoint", str, probeSerde))
                    .aggregate(NeedleContext::empty, (k, v, s) -> NeedleContext.add(v, s, keep),
                            Named.as("needle-aggregate"),
                            this.<NeedleState, KeyValueStore<Bytes, byte[]>>materialized(NEEDLE_STORE,
                                    internal(NeedleState.class)))
                    .mapValues(NeedleContext::effectiveContext, Named.as("effective-context"));

            // c. quality over the trailing day
            KStream<String, EvalItemResult> evals = validated(Topics.EVAL_RESULTS, Validation::eval, "eval-results");
            keyValueStore(EVAL_TRAILING_STORE, Serdes.Long());
            long evalAdvanceMs = w.evalAdvance().toMillis();
            KTable<String, QualityStats> quality = evals
                    .groupByKey(Grouped.with("eval-results-by-endpoint", str, serde(Topics.EVAL_RESULTS)))
                    .windowedBy(TimeWindows.ofSizeAndGrace(w.evalSize(), w.grace()).advanceBy(w.evalAdvance()))
                    .aggregate(EvalAggregation::empty, (k, v, agg) -> EvalAggregation.add(v, agg),
                            Named.as("eval-window-aggregate"),
                            this.<EvalWindowAgg, WindowStore<Bytes, byte[]>>materialized(EVAL_WINDOWS_STORE,
                                    internal(EvalWindowAgg.class)))
                    .toStream(Named.as("eval-window-updates"))
                    .process(() -> new TrailingWindowSelector<EvalWindowAgg, QualityStats>(EVAL_TRAILING_STORE,
                            evalAdvanceMs, EvalAggregation::stats), Named.as("eval-trailing-window"),
                            EVAL_TRAILING_STORE)
                    .toTable(Named.as("quality-stats-table"),
                            this.<QualityStats, KeyValueStore<Bytes, byte[]>>materialized(QUALITY_STORE,
                                    internal(QualityStats.class)));

            // d. fidelity
            AvroWireSerde<FingerprintSample> fpSerde = serde(Topics.EVAL_FINGERPRINTS);
            keyValueStore(REFERENCE_STORE, internal(FingerprintSample.class));
            keyValueStore(NOISE_STORE, Serdes.Double());
            keyValueStore(REFERENCE_COMPLETIONS_STORE, internal(ReferenceCompletions.class));
            keyValueStore(FIDELITY_ENDPOINT_STORE, internal(FidelityEndpointState.class));
            ScoringParams.Fidelity fidelityParams = params.fidelity();
            KStream<String, TaggedFingerprint> byModelPrompt = withEndpoint(validated(Topics.EVAL_FINGERPRINTS,
                    Validation::fingerprint, "fingerprints"), endpoints, fpSerde, Topics.EVAL_FINGERPRINTS.name(),
                    "fingerprint-endpoint-join")
                    .mapValues(j -> new TaggedFingerprint(j.endpoint().getReference(), j.value()),
                            Named.as("fingerprint-tag-reference"))
                    .selectKey((k, t) -> compositeKey(t.sample().getModel(), t.sample().getPromptId()),
                            Named.as("fingerprint-key-by-model-prompt"));
            KStream<String, FidelityStats> fidelity = byKey(byModelPrompt,
                    Repartitioned.<String, TaggedFingerprint>as("fingerprints-by-model-prompt")
                            .withKeySerde(str).withValueSerde(TaggedFingerprint.serde(registry)))
                    .process(() -> new ReferenceComparator(REFERENCE_STORE, NOISE_STORE, REFERENCE_COMPLETIONS_STORE,
                                    fidelityParams), Named.as("fidelity-compare-with-reference"), REFERENCE_STORE,
                            NOISE_STORE, REFERENCE_COMPLETIONS_STORE)
                    .repartition(Repartitioned.<String, FidelityObservation>as("fidelity-observations-by-endpoint")
                            .withKeySerde(str).withValueSerde(internal(FidelityObservation.class)))
                    .processValues(() -> new EndpointFidelity(FIDELITY_ENDPOINT_STORE, params),
                            Named.as("fidelity-per-endpoint"), FIDELITY_ENDPOINT_STORE);
            KTable<String, FidelityStats> fidelityTable = fidelity.toTable(Named.as("fidelity-stats-table"),
                    this.<FidelityStats, KeyValueStore<Bytes, byte[]>>materialized(FIDELITY_STATS_STORE,
                            internal(FidelityStats.class)));

            // h. drift alerts: one rule per kind, all on the same (endpoint, kind) store
            keyValueStore(ALERT_STORE, internal(AlertState.class));
            String configHash = params.configHash();
            KStream<String, DriftAlert> fidelityAlerts = fidelity.process(
                    () -> new DriftAlertProcessor<>(ALERT_STORE, new FidelityDriftRule(params), configHash),
                    Named.as("fidelity-drift-alerts"), ALERT_STORE);
            KStream<String, DriftAlert> availabilityAlerts = probeStatsUpdates.process(
                    () -> new DriftAlertProcessor<>(ALERT_STORE, new AvailabilityDriftRule(params), configHash),
                    Named.as("availability-drift-alerts"), ALERT_STORE);
            KStream<String, DriftAlert> ttftAlerts = probeStatsUpdates.process(
                    () -> new DriftAlertProcessor<>(ALERT_STORE, new TtftP99DriftRule(params), configHash),
                    Named.as("ttft-p99-drift-alerts"), ALERT_STORE);
            KStream<String, DriftAlert> accuracyAlerts = evals.process(
                    () -> new DriftAlertProcessor<>(ALERT_STORE, new AccuracyDriftRule(params), configHash),
                    Named.as("accuracy-drift-alerts"), ALERT_STORE);
            KStream<String, DriftAlert> priceAlerts = prices.toStream(Named.as("price-updates")).process(
                    () -> new DriftAlertProcessor<>(ALERT_STORE, new PriceDriftRule(), configHash),
                    Named.as("price-drift-alerts"), ALERT_STORE);
            // canaries meet their model's reference answers by (model, canary), then come back by endpoint
            keyValueStore(CANARY_REFERENCE_STORE, internal(CanaryReference.class));
            AvroWireSerde<CanarySignal> canarySerde = internal(CanarySignal.class);
            int referenceRounds = params.alerts().canary().referenceRounds();
            KStream<String, ProbeResult> canaryProbes = live
                    ? probes.filter((k, p) -> isCanaryAnswer(p), Named.as("canary-probes"))
                            .repartition(Repartitioned.<String, ProbeResult>as("canary-probes-by-endpoint")
                                    .withKeySerde(str).withValueSerde(probeSerde))
                    : fromProbeStage(REPLAY_CANARY_EDGE, probeSerde);
            KStream<String, CanarySignal> byModelCanary = withEndpoint(canaryProbes,
                    endpoints, probeSerde, Topics.PROBE_RESULTS.name(), "canary-endpoint-join")
                    .mapValues(j -> CanarySignal.newBuilder().setEndpointId(j.value().getEndpointId())
                                    .setModel(j.endpoint().getModel()).setReference(j.endpoint().getReference())
                                    .setCanaryId(j.value().getCanaryId()).setResponseSha256(j.value().getResponseSha256())
                                    .setAtMs(j.value().getStartedAtMs()).build(), Named.as("canary-signal"))
                    .selectKey((k, c) -> compositeKey(c.getModel(), c.getCanaryId()),
                            Named.as("canary-key-by-model-canary"));
            KStream<String, CanarySignal> canariesByEndpoint = byKey(byModelCanary,
                    Repartitioned.<String, CanarySignal>as("canaries-by-model-canary")
                            .withKeySerde(str).withValueSerde(canarySerde))
                    .process(() -> new CanaryReferenceTracker(CANARY_REFERENCE_STORE, referenceRounds),
                            Named.as("canary-compare-with-reference"), CANARY_REFERENCE_STORE);
            KStream<String, DriftAlert> canaryAlerts = byKey(canariesByEndpoint,
                    Repartitioned.<String, CanarySignal>as("canary-signals-by-endpoint")
                            .withKeySerde(str).withValueSerde(canarySerde))
                    .process(() -> new DriftAlertProcessor<>(ALERT_STORE, new CanaryDriftRule(params), configHash),
                            Named.as("canary-drift-alerts"), ALERT_STORE);
            sink(fidelityAlerts
                    .merge(availabilityAlerts, Named.as("alerts-merge-availability"))
                    .merge(ttftAlerts, Named.as("alerts-merge-ttft-p99"))
                    .merge(accuracyAlerts, Named.as("alerts-merge-accuracy"))
                    .merge(priceAlerts, Named.as("alerts-merge-price"))
                    .merge(canaryAlerts, Named.as("alerts-merge-canary")),
                    outputTopic(Topics.ALERTS, namespace), serde(Topics.ALERTS), "alerts-sink");

            // e. endpoint summary
            AvroWireSerde<EndpointSummary> summarySerde = internal(EndpointSummary.class);
            KTable<String, EndpointSummary> summaryTable = endpoints
                    .mapValues(SummaryJoins::fromEndpoint, Named.as("summary-from-endpoint"))
                    .leftJoin(probeStats, SummaryJoins::withProbe, Named.as("summary-join-probe-stats"));
            for (Map.Entry<String, KTable<String, ProbeStats>> e : extraProbeStats.entrySet()) {
                String label = e.getKey();
                summaryTable = summaryTable.leftJoin(e.getValue(), (s, p) -> SummaryJoins.withProbeWindow(s, label, p),
                        Named.as("summary-join-probe-stats-" + label));
            }
            KStream<String, EndpointSummary> summaries = summaryTable
                    .leftJoin(prices, SummaryJoins::withPrice, Named.as("summary-join-prices"))
                    .leftJoin(hardware, SummaryJoins::withEnergy, Named.as("summary-join-hardware"))
                    .leftJoin(quality, SummaryJoins::withQuality, Named.as("summary-join-quality"))
                    .leftJoin(fidelityTable, SummaryJoins::withFidelity, Named.as("summary-join-fidelity"))
                    .leftJoin(effectiveContext, SummaryJoins::withEffectiveContext,
                            Named.as("summary-join-effective-context"))
                    .toStream(Named.as("summary-updates"))
                    // A deleted catalogue entry leaves its last summary in the cohort (known gap).
                    .filter((k, v) -> v != null, Named.as("summary-drop-deletes"))
                    .leftJoin(grid, (k, s) -> s.getGridZone(), SummaryJoins::withGrid, Named.as("summary-join-grid"));

            // f. cohort composites
            keyValueStore(COHORT_STORE, summarySerde);
            keyValueStore(COHORT_CHANGED_STORE, Serdes.Long());
            AvroWireSerde<EndpointComposite> compositeSerde = serde(Topics.COMPOSITES);
            KStream<String, EndpointComposite> composites = byKey(summaries
                    .selectKey((k, s) -> s.getModel(), Named.as("summary-key-by-model")),
                    Repartitioned.<String, EndpointSummary>as("summaries-by-model")
                            .withKeySerde(str).withValueSerde(summarySerde))
                    .process(() -> new CohortScorer(COHORT_STORE, COHORT_CHANGED_STORE, params, durable),
                            Named.as("cohort-scoring"), COHORT_STORE, COHORT_CHANGED_STORE);
            sink(composites, outputTopic(Topics.COMPOSITES, namespace), compositeSerde, "composites-sink");

            // g. leaderboards
            keyValueStore(LEADERBOARD_STORE, compositeSerde);
            keyValueStore(LEADERBOARD_CHANGED_STORE, Serdes.Long());
            // one board per preset and window (1 h, 24 h, 7 d), all of a preset in one task
            KStream<String, LeaderboardSnapshot> boards = byKey(
                    composites.selectKey((k, c) -> c.getPreset(), Named.as("composite-key-by-preset")),
                    Repartitioned.<String, EndpointComposite>as("composites-by-preset")
                            .withKeySerde(str).withValueSerde(compositeSerde))
                    .process(() -> new LeaderboardBuilder(LEADERBOARD_STORE, LEADERBOARD_CHANGED_STORE, params, durable),
                            Named.as("leaderboard"), LEADERBOARD_STORE, LEADERBOARD_CHANGED_STORE);
            sink(boards, outputTopic(Topics.LEADERBOARD, namespace), serde(Topics.LEADERBOARD), "leaderboard-sink");
            return sb.build();
        }
    }
}
