package dev.tokenarena.eval;

import dev.tokenarena.schemas.config.CommonConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the eval worker, declared once; parsed into typed final fields. */
public final class EvalConfig extends AbstractConfig {

    public static final String CATALOG_FILE = "catalog.file";
    public static final String INTERVAL_MS = "eval.interval.ms";
    public static final String ITEMS_PER_ROUND = "eval.items.per.round";
    public static final String FINGERPRINT_PROMPTS_PER_ROUND = "fingerprint.prompts.per.round";
    public static final String MAX_IN_FLIGHT = "eval.max.in.flight";
    public static final String MAX_TOKENS = "eval.max.tokens";
    public static final String REQUEST_TIMEOUT_MS = "eval.request.timeout.ms";
    public static final String SUITE_FILE = "eval.suite.file";
    public static final String STATE_DIR = "eval.state.dir";
    public static final String PROMPT_SET = "fingerprint.prompt.set";
    public static final String TOP_K = "fingerprint.top.k";
    public static final String FINGERPRINT_MAX_TOKENS = "fingerprint.max.tokens";
    public static final String FINGERPRINT_PROMPT_LIMIT = "fingerprint.prompt.limit";

    private static final ConfigDef DEF = CommonConfig.define(new ConfigDef())
            .define(CATALOG_FILE, Type.STRING, "", Importance.HIGH,
                    "Endpoint catalogue YAML; required by the standalone worker (EvalWorkerMain).")
            .define(INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Delay between the end of one round and the start of the next, milliseconds.")
            .define(ITEMS_PER_ROUND, Type.INT, 8, Range.atLeast(0), Importance.MEDIUM,
                    "Suite items sent to each endpoint per round; consecutive rounds continue through the suite.")
            .define(FINGERPRINT_PROMPTS_PER_ROUND, Type.INT, 16, Range.atLeast(0), Importance.MEDIUM,
                    "Fingerprint prompts sent per round to each endpoint; those without logprobs are asked for"
                            + " none and compared by their completions only.")
            .define(MAX_IN_FLIGHT, Type.INT, 16, Range.between(1, 1024), Importance.MEDIUM,
                    "Requests in flight at once across all endpoints.")
            .define(MAX_TOKENS, Type.INT, 1024, Range.between(1, 1_000_000), Importance.MEDIUM,
                    "max_tokens of eval requests, tokens.")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 120_000L, Range.between(100, 3_600_000), Importance.MEDIUM,
                    "Deadline of one request including its body, milliseconds.")
            .define(SUITE_FILE, Type.STRING, "", Importance.MEDIUM,
                    "GSM8K-format JSONL suite; empty = the shipped 40-item gsm8k-sample.")
            .define(STATE_DIR, Type.STRING, "", Importance.MEDIUM,
                    "Directory of the position file that makes runs resumable; empty = positions in memory only.")
            .define(PROMPT_SET, Type.STRING, FingerprintPromptSet.DEFAULT, new ConfigDef.NonEmptyString(),
                    Importance.LOW, "Versioned fingerprint prompt set shipped on the classpath.")
            .define(TOP_K, Type.INT, 5, Range.between(1, 20), Importance.LOW,
                    "top_logprobs alternatives requested per fingerprint position, count.")
            .define(FINGERPRINT_MAX_TOKENS, Type.INT, 16, Range.between(1, 4096), Importance.LOW,
                    "max_tokens of fingerprint requests, tokens.")
            .define(FINGERPRINT_PROMPT_LIMIT, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                    "Use only the first N prompts of the set (0 = all). Fidelity keeps the latest divergence per"
                    + " prompt, so a smaller set re-measures every prompt sooner: the demo uses 32 so a silent"
                    + " change and its revert both show within minutes.");

    private final String catalogFile;
    private final long intervalMs;
    private final int itemsPerRound;
    private final int fingerprintPromptsPerRound;
    private final int maxInFlight;
    private final int maxTokens;
    private final long requestTimeoutMs;
    private final String suiteFile;
    private final String stateDir;
    private final String promptSet;
    private final int topK;
    private final int fingerprintMaxTokens;
    private final int fingerprintPromptLimit;

    public EvalConfig(Map<?, ?> props) {
        super(DEF, props, false);
        this.catalogFile = getString(CATALOG_FILE).trim();
        this.intervalMs = getLong(INTERVAL_MS);
        this.itemsPerRound = getInt(ITEMS_PER_ROUND);
        this.fingerprintPromptsPerRound = getInt(FINGERPRINT_PROMPTS_PER_ROUND);
        this.maxInFlight = getInt(MAX_IN_FLIGHT);
        this.maxTokens = getInt(MAX_TOKENS);
        this.requestTimeoutMs = getLong(REQUEST_TIMEOUT_MS);
        this.suiteFile = getString(SUITE_FILE).trim();
        this.stateDir = getString(STATE_DIR).trim();
        this.promptSet = getString(PROMPT_SET).trim();
        this.topK = getInt(TOP_K);
        this.fingerprintMaxTokens = getInt(FINGERPRINT_MAX_TOKENS);
        this.fingerprintPromptLimit = getInt(FINGERPRINT_PROMPT_LIMIT);
    }

    /** Reads a properties file with ARENA_* environment overrides (see {@link CommonConfig#load}). */
    public static EvalConfig load(Path file, Map<String, String> env) {
        return new EvalConfig(CommonConfig.load(file, DEF, env));
    }

    /** The definition, for the generated configuration reference. */
    public static ConfigDef configDef() {
        return DEF;
    }

    public Optional<Path> catalogFile() {
        return catalogFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(catalogFile));
    }

    public long intervalMs() {
        return intervalMs;
    }

    public int itemsPerRound() {
        return itemsPerRound;
    }

    public int fingerprintPromptsPerRound() {
        return fingerprintPromptsPerRound;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public Optional<Path> suiteFile() {
        return suiteFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(suiteFile));
    }

    public Optional<Path> stateDir() {
        return stateDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(stateDir));
    }

    public String promptSet() {
        return promptSet;
    }

    public int topK() {
        return topK;
    }

    public int fingerprintMaxTokens() {
        return fingerprintMaxTokens;
    }

    /** First N prompts of the set to use, 0 for all. */
    public int fingerprintPromptLimit() {
        return fingerprintPromptLimit;
    }

    public String bootstrapServers() {
        return getString(CommonConfig.BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return getString(CommonConfig.SCHEMA_REGISTRY_URL);
    }
}
