package dev.tokenarena.scoring;

import dev.tokenarena.schemas.config.CommonConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the scoring application, declared once: a properties file plus ARENA_* environment
 * overrides ({@link CommonConfig#load}). Parsed into typed fields at construction so a bad value
 * fails at startup with the setting named; the scoring params file is loaded and validated here
 * too.
 */
public final class ScoringConfig extends AbstractConfig {

    public static final String APPLICATION_ID = "application.id";
    public static final String STATE_DIR = "state.dir";
    public static final String SCORING_PARAMS_FILE = "scoring.params.file";
    public static final String OUTPUT_NAMESPACE = "output.namespace";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String MAX_TASK_IDLE_MS = "max.task.idle.ms";
    // query API (dev.tokenarena.scoring.api)
    public static final String API_PORT = "api.port";
    public static final String API_HOST = "api.host";

    private static final ConfigDef DEF = CommonConfig.define(new ConfigDef())
            .define(APPLICATION_ID, Type.STRING, "arena-scoring", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: consumer group, internal topic and state directory prefix. "
                            + "A replay under another config needs its own id.")
            .define(STATE_DIR, Type.STRING, "./state/scoring", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Directory of the RocksDB state stores; keep it on local disk across restarts to avoid "
                            + "restoring from changelogs.")
            .define(SCORING_PARAMS_FILE, Type.STRING, "", Importance.HIGH,
                    "YAML file of scoring parameters (presets, thresholds, windows); empty for the shipped "
                            + "scoring/presets-v1.yaml.")
            .define(OUTPUT_NAMESPACE, Type.STRING, "", (name, value) -> {
                if (value != null && !((String) value).isEmpty() && !ScoringTopology.isNamespace((String) value)) {
                    throw new ConfigException(name, value, "use " + ScoringTopology.NAMESPACE_RULE);
                }
            }, Importance.MEDIUM,
                    "Empty: write to the v1 output topics. N: write composites, leaderboards, alerts and dead "
                            + "letters to '<topic>.N' (replay under a new config).")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 1000L, ConfigDef.Range.atLeast(10), Importance.LOW,
                    "Commit (and, under exactly_once_v2, transaction) interval, milliseconds: the latency of "
                            + "output versus transaction overhead.")
            .define(NUM_STREAM_THREADS, Type.INT, 1, ConfigDef.Range.between(1, 64), Importance.MEDIUM,
                    "Stream threads in this instance; tasks beyond 6 partitions per sub-topology stay idle.")
            // query API (dev.tokenarena.scoring.api)
            .define(MAX_TASK_IDLE_MS, Type.LONG, 0L, ConfigDef.Range.atLeast(-1), Importance.LOW,
                    "Kafka Streams' max.task.idle.ms: how long a task whose other input partitions are empty waits "
                            + "before processing by timestamp across them. 0 (Kafka's default) waits only for data "
                            + "known to be on the broker, so a catalogue or price update is joined before younger "
                            + "probes; -1 never waits, which during a catch-up may score probes against the "
                            + "catalogue as it was a moment earlier. Kafka 4.3 formats a diagnostic line per empty "
                            + "partition on every check unless -1: 8 % of the stream thread's CPU over a 100k-event "
                            + "catch-up here, more in a short one (docs/benchmarks.md).")
            .define(API_PORT, Type.INT, -1, ConfigDef.Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the HTTP query API over the state stores (leaderboard, endpoint detail, alerts, "
                            + "alert event stream); 0 picks a free port, -1 runs no API. Also advertised to the "
                            + "other instances as application.server, so each instance needs its own reachable port.")
            .define(API_HOST, Type.STRING, "localhost", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Host the query API binds to and advertises to the other instances (application.server): "
                            + "a name or address they can reach, not 0.0.0.0.");

    private final ScoringParams params;

    public ScoringConfig(Map<?, ?> originals) {
        super(DEF, originals);
        String file = getString(SCORING_PARAMS_FILE);
        try {
            this.params = ScoringParams.load(file.isBlank() ? null : Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SCORING_PARAMS_FILE, file, e.getMessage());
        }
    }

    /** Reads a properties file (null: none) with environment overrides. */
    public static ScoringConfig load(Path file, Map<String, String> env) {
        return new ScoringConfig(CommonConfig.load(file, DEF, env));
    }

    /** The definition, for the generated configuration reference. */
    public static ConfigDef definition() {
        return DEF;
    }

    public ScoringParams params() {
        return params;
    }

    public String applicationId() {
        return getString(APPLICATION_ID);
    }

    public String bootstrapServers() {
        return getString(CommonConfig.BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return getString(CommonConfig.SCHEMA_REGISTRY_URL);
    }

    public String stateDir() {
        return getString(STATE_DIR);
    }

    public String outputNamespace() {
        return getString(OUTPUT_NAMESPACE);
    }

    public long commitIntervalMs() {
        return getLong(COMMIT_INTERVAL_MS);
    }

    public int numStreamThreads() {
        return getInt(NUM_STREAM_THREADS);
    }

    public long maxTaskIdleMs() {
        return getLong(MAX_TASK_IDLE_MS);
    }

    /** Port of the query API: -1 none, 0 any free port. */
    public int apiPort() {
        return getInt(API_PORT);
    }

    public String apiHost() {
        return getString(API_HOST);
    }
}
