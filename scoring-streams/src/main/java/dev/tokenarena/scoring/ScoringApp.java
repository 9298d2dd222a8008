package dev.tokenarena.scoring;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.scoring.api.ApiServer;
import dev.tokenarena.scoring.api.ApiStores;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring application: the topology of {@link ScoringTopology} run by Kafka Streams with
 * exactly_once_v2, RocksDB stores and the DLQ handler. Wires and manages lifecycle only.
 */
public final class ScoringApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringApp.class);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ScoringConfig config;
    private final DeadLetterCounter deadLetters = new DeadLetterCounter();
    private final Topology topology;
    private final KafkaStreams streams;
    private final ApiServer api;

    public ScoringApp(ScoringConfig config, SchemaRegistryClient registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.topology = ScoringTopology.build(config.params(), registry, config.outputNamespace());
        Properties props = streamsProperties(config, deadLetters);
        // query API: bound first, so application.server names the port actually bound
        this.api = config.apiPort() < 0 ? null : ApiServer.bind(config.apiHost(), config.apiPort());
        if (api != null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, api.advertised());
        }
        try {
            this.streams = new KafkaStreams(topology, props);
        } catch (RuntimeException e) {
            if (api != null) {
                api.close();
            }
            throw e;
        }
        if (api != null) {
            api.attach(streams, apiStores(config.params()), config.bootstrapServers(),
                    ScoringTopology.outputTopic(Topics.ALERTS, config.outputNamespace()),
                    AvroWireSerde.forTopic(Topics.ALERTS, registry));
        }
        // A stream thread that dies on an unexpected error is replaced, loudly, rather than
        // leaving the application silently stopped while its producers keep publishing.
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("scoring stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** The Kafka Streams settings this app runs with (the benchmark's floor app runs with them too). */
    public static Properties streamsProperties(ScoringConfig config, DeadLetterCounter counter) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.numStreamThreads());
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, config.maxTaskIdleMs());
        p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers.class);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(DeadLetterHandler.DLQ_TOPIC_CONFIG, ScoringTopology.outputTopic(Topics.DLQ, config.outputNamespace()));
        p.put(DeadLetterHandler.COUNTER_CONFIG, counter);
        return p;
    }

    public void start() {
        LOG.info("starting scoring app {} (config hash {}, namespace '{}')", config.applicationId(),
                config.params().configHash(), config.outputNamespace());
        streams.start();
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        streams.close(CLOSE_TIMEOUT);
    }

    /** The query API of this instance, if api.port is not -1. */
    public Optional<ApiServer> api() {
        return Optional.ofNullable(api);
    }

    /** What the query API reads: store names and the views the topology owns. */
    static ApiStores apiStores(ScoringParams params) {
        return new ApiStores(ScoringTopology.LEADERBOARD_STORE, ScoringTopology.ALERT_STORE,
                List.of(ScoringTopology.PROBE_STATS_STORE, ScoringTopology.QUALITY_STORE,
                        ScoringTopology.FIDELITY_STATS_STORE),
                ScoringTopology.PROBE_BUCKETS_STORE, params.windows().probeSize().toMillis(),
                ScoringTopology.KEY_SEPARATOR, List.copyOf(params.presets().keySet()),
                (preset, rows) -> LeaderboardBuilder.snapshot(preset, rows,
                        rows.stream().mapToLong(EndpointComposite::getWindowEndMs).max().orElse(0L), params),
                ProbeSketches::stats, ProbeBuckets.of(params)::history);
    }

    /** The Streams client's state (RUNNING, REBALANCING, ERROR, ...). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public Topology topology() {
        return topology;
    }

    public ScoringParams params() {
        return config.params();
    }

    /** Undecodable records sent to the DLQ so far, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /**
     * Makes US the JVM's default formatting locale; called once by the command-line mains, never
     * by the library. Why: Kafka Streams 4.3 formats a diagnostic line with {@code %d} for every
     * empty input partition of a task on each readiness check, logged or not
     * ({@code PartitionGroup.readyToProcess}), and on JDK 17 {@code String.format} builds a new
     * {@code DecimalFormatSymbols} per call for every locale but {@code Locale.US}: 11 % of the
     * stream thread in the scoring benchmark's profile (docs/benchmarks.md). Our own formatting
     * names {@code Locale.ROOT} and does not change.
     */
    public static void useUsFormatLocale() {
        java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, java.util.Locale.US);
    }
}
