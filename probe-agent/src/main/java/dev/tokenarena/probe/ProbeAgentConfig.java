package dev.tokenarena.probe;

import dev.tokenarena.schemas.config.CommonConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every setting of the probe agent, declared once (DESIGN section 4). Values are parsed and
 * cross-checked here so a bad config fails at startup with the setting's name, never mid-round.
 */
public final class ProbeAgentConfig extends AbstractConfig {

    public static final String REGION = "region";
    public static final String AGENT_ID = "agent.id";
    public static final String AGENT_INDEX = "agent.index";
    public static final String HEARTBEAT_INTERVAL_MS = "heartbeat.interval.ms";
    public static final String HEARTBEAT_LIVENESS_MULTIPLE = "heartbeat.liveness.multiple";
    public static final String HEARTBEAT_STARTUP_TIMEOUT_MS = "heartbeat.startup.timeout.ms";
    public static final String ARRIVAL_RATES = "arrival.rates";
    public static final String ARRIVAL_DURATION_MS = "arrival.duration.ms";
    public static final String ARRIVAL_MAX_IN_FLIGHT = "arrival.max.in.flight";
    public static final String ARRIVAL_SEED = "arrival.seed";
    public static final String ROUND_INTERVAL_MS = "round.interval.ms";
    public static final String ROUND_JITTER_FRACTION = "round.jitter.fraction";
    public static final String INPUT_TOKENS = "input.tokens";
    public static final String CONCURRENCY = "concurrency";
    public static final String MAX_TOKENS = "max.tokens";
    public static final String CANARY_COUNT = "canary.count";
    public static final String NEEDLE_LENGTHS = "needle.lengths";
    public static final String NEEDLE_EVERY_ROUNDS = "needle.every.rounds";
    public static final String CONTEXT_HEADROOM_FRACTION = "context.headroom.fraction";
    public static final String CONNECT_TIMEOUT_MS = "connect.timeout.ms";
    public static final String FIRST_BYTE_TIMEOUT_MS = "first.byte.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String MAX_LINE_BYTES = "max.line.bytes";
    public static final String MAX_EVENT_BYTES = "max.event.bytes";
    public static final String MAX_RESPONSE_BYTES = "max.response.bytes";
    public static final String IO_THREADS = "io.threads";
    public static final String CATALOG_FILE = "catalog.file";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_HOST = "metrics.host";
    public static final String BUDGET_DAILY_TOKENS = "budget.daily.tokens";
    public static final String BUDGET_DAILY_USD = "budget.daily.usd";
    public static final String COST_EXPENSIVE_INPUT_TOKENS = "cost.expensive.input.tokens";
    public static final String COST_EXPENSIVE_CONCURRENCY = "cost.expensive.concurrency";
    public static final String SPOOL_DIR = "spool.dir";
    public static final String SPOOL_MAX_BYTES = "spool.max.bytes";
    public static final String SPOOL_SEND_TIMEOUT_MS = "spool.send.timeout.ms";
    public static final String SPOOL_RETRY_BACKOFF_MS = "spool.retry.backoff.ms";
    public static final String SPOOL_DEDUPE_SCAN_RECORDS = "spool.dedupe.scan.records";

    private static final int MIB = 1024 * 1024;
    /** Shortest prompt we build: the nonce and instructions alone take about 60 tokens. */
    static final int MIN_PROMPT_TOKENS = 100;

    /** The definition, also used for the generated configuration reference. */
    public static final ConfigDef CONFIG_DEF = CommonConfig.define(new ConfigDef())
            .define(REGION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Region this agent probes from, stamped on every result (e.g. us-east).")
            .define(AGENT_ID, Type.STRING, "", Importance.MEDIUM,
                    "Id of this agent instance, unique across all regions; empty means <region>-<agent.index>. "
                            + "The agents of a region share its endpoints by rendezvous hashing over the ids of "
                            + "those whose heartbeats are live; keep an agent's id stable across restarts.")
            .define(AGENT_INDEX, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                    "Number used only to form the default agent.id (<region>-<agent.index>).")
            .define(HEARTBEAT_INTERVAL_MS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    "How often the agent publishes its heartbeat to the heartbeat topic, milliseconds; 0 means "
                            + "round.interval.ms / 10, at most 10 s. Times heartbeat.liveness.multiple it must stay "
                            + "below round.interval.ms so a crashed agent's endpoints move within one round.")
            .define(HEARTBEAT_LIVENESS_MULTIPLE, Type.DOUBLE, 3.0, Range.between(1.5, 100.0), Importance.LOW,
                    "A peer is live while its latest heartbeat is younger than this many of its heartbeat intervals.")
            .define(HEARTBEAT_STARTUP_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(100, 600_000), Importance.LOW,
                    "Longest wait at start to read the heartbeat topic (who is live) before the first round, milliseconds.")
            .define(ROUND_INTERVAL_MS, Type.LONG, 300_000L, Range.atLeast(1), Importance.HIGH,
                    "Time between the starts of two probe rounds, milliseconds. A round that runs longer "
                            + "delays the next one; rounds never overlap.")
            .define(ROUND_JITTER_FRACTION, Type.DOUBLE, 0.1, Range.between(0.0, 0.9), Importance.LOW,
                    "Random jitter of the round interval, as a fraction (0.1 = +/-10%), so agents do not probe in lockstep.")
            .define(INPUT_TOKENS, Type.LIST, "1000,10000,100000", intsAtLeast(MIN_PROMPT_TOKENS), Importance.HIGH,
                    "Input lengths of the timing scenarios, tokens (o200k); capped by the endpoint's context.")
            .define(CONCURRENCY, Type.LIST, "1,10,100", intsAtLeast(1), Importance.HIGH,
                    "Closed-loop concurrency levels of the timing scenarios, requests in flight.")
            .define(ARRIVAL_RATES, Type.LIST, "", positiveNumbers(), Importance.MEDIUM,
                    "Open-loop timing scenarios: target arrival rates, requests per second, each run for "
                            + "arrival.duration.ms at every input length as a Poisson process (exponential gaps, "
                            + "requests sent on schedule whether or not earlier ones finished). Empty = none.")
            .define(ARRIVAL_DURATION_MS, Type.LONG, 30_000L, Range.between(1, 3_600_000), Importance.MEDIUM,
                    "How long each open-loop scenario sends arrivals, milliseconds.")
            .define(ARRIVAL_MAX_IN_FLIGHT, Type.INT, 100, Range.between(1, 100_000), Importance.MEDIUM,
                    "Most open-loop requests in flight at once; an arrival that finds this many in flight is "
                            + "dropped (not sent), counted and logged.")
            .define(ARRIVAL_SEED, Type.LONG, 1L, Importance.LOW,
                    "Seed of the open-loop arrival times; mixed with the endpoint id and round so each schedule "
                            + "is different but reproducible.")
            .define(MAX_TOKENS, Type.INT, 256, Range.between(2, 1_000_000), Importance.HIGH,
                    "max_tokens sent with every request, tokens.")
            .define(CANARY_COUNT, Type.INT, 3, Range.between(0, CanaryPrompts.COUNT), Importance.MEDIUM,
                    "Fixed canary prompts per endpoint and round, sent at temperature 0 for response hashing.")
            .define(NEEDLE_LENGTHS, Type.LIST, "1024,4096,16384,32768,65536,131072", intsAtLeast(MIN_PROMPT_TOKENS), Importance.MEDIUM,
                    "Haystack lengths of the needle-in-a-haystack probes, tokens; capped by the endpoint's context.")
            .define(NEEDLE_EVERY_ROUNDS, Type.INT, 12, Range.atLeast(1), Importance.MEDIUM,
                    "Needle probes run in rounds whose number is a multiple of this (round 0 included).")
            .define(CONTEXT_HEADROOM_FRACTION, Type.DOUBLE, 0.05, Range.between(0.0, 0.5), Importance.LOW,
                    "Share of (context_tokens - max.tokens) kept free when capping input lengths: the server's "
                            + "tokenizer and chat template count differently than o200k.")
            .define(CONNECT_TIMEOUT_MS, Type.INT, 10_000, Range.between(1, 600_000), Importance.MEDIUM,
                    "TCP connect timeout (also the TLS handshake timeout), milliseconds.")
            .define(FIRST_BYTE_TIMEOUT_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Longest wait from sending the request to the first response byte, milliseconds.")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 180_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Longest time for a whole request, connect to last byte, milliseconds.")
            .define(MAX_LINE_BYTES, Type.INT, MIB, Range.atLeast(64), Importance.LOW,
                    "Longest accepted SSE line, bytes; a longer line ends the request as LIMIT_EXCEEDED.")
            .define(MAX_EVENT_BYTES, Type.INT, 4 * MIB, Range.atLeast(64), Importance.LOW,
                    "Largest accepted SSE event (data lines joined), bytes.")
            .define(MAX_RESPONSE_BYTES, Type.LONG, 64L * MIB, Range.atLeast(1024), Importance.LOW,
                    "Largest accepted response body, bytes.")
            .define(IO_THREADS, Type.INT, 2, Range.between(1, 64), Importance.LOW,
                    "Netty event-loop threads of the HTTP client.")
            .define(CATALOG_FILE, Type.STRING, "", Importance.MEDIUM,
                    "Endpoint catalogue YAML file. Required by ProbeAgentMain (the catalogue topic is a later option).")
            .define(METRICS_PORT, Type.INT, 0, Range.between(0, 65_535), Importance.MEDIUM,
                    "Port of the Prometheus text endpoint GET /metrics (requests by outcome, in-flight streams, "
                            + "spool depth, budget used); 0 turns it off.")
            .define(METRICS_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Address the metrics endpoint binds to.")
            .define(BUDGET_DAILY_TOKENS, Type.LONG, 0L, Range.atLeast(0), Importance.HIGH,
                    "Most tokens (input + max_tokens, estimated; then as used) one endpoint may be sent per UTC day; "
                            + "0 = no limit. Expensive steps run every Nth round so the estimate fits; a step that "
                            + "would pass the limit is skipped.")
            .define(BUDGET_DAILY_USD, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.HIGH,
                    "Most US dollars one endpoint may cost per UTC day, priced with the catalogue entry's price; "
                            + "0 = no limit. Endpoints without a price count tokens only.")
            .define(COST_EXPENSIVE_INPUT_TOKENS, Type.INT, 100_000, Range.atLeast(1), Importance.LOW,
                    "A timing step with at least this input (tokens) is expensive and rationed by the budget.")
            .define(COST_EXPENSIVE_CONCURRENCY, Type.INT, 100, Range.atLeast(1), Importance.LOW,
                    "A timing step with at least this concurrency is expensive and rationed by the budget.")
            .define(SPOOL_DIR, Type.STRING, "", Importance.HIGH,
                    "Directory of the durable result spool: every result is written here before it is sent, and "
                            + "waits here while Kafka is unreachable. Empty means <java.io.tmpdir>/tokenarena-probe-spool/"
                            + "<agent.id>, which survives a process restart but maybe not a reboot: use a persistent "
                            + "volume in production. One directory per agent (it is locked).")
            .define(SPOOL_MAX_BYTES, Type.LONG, 256L * MIB, Range.atLeast(64 * 1024), Importance.MEDIUM,
                    "Most bytes the spool may hold on disk; when full, new results are refused with an error "
                            + "naming this setting and counted.")
            .define(SPOOL_SEND_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(1_000, 600_000), Importance.LOW,
                    "How long one send (or one dedupe scan) may take before the batch counts as failed and is "
                            + "retried from the spool, milliseconds.")
            .define(SPOOL_RETRY_BACKOFF_MS, Type.LONG, 1_000L, Range.between(1, 600_000), Importance.LOW,
                    "First wait before resending after a failed batch, milliseconds; doubles up to 30 times this.")
            .define(SPOOL_DEDUPE_SCAN_RECORDS, Type.INT, 10_000, Range.between(1, 10_000_000), Importance.LOW,
                    "Records read from the end of each results partition to find results that reached Kafka "
                            + "though their send failed or the agent stopped before recording the ack.");

    private final String region;
    private final String agentId;
    private final int agentIndex;
    private final long heartbeatIntervalMs;
    private final List<Double> arrivalRates;
    private final long roundIntervalMs;
    private final double roundJitterFraction;
    private final List<Integer> inputTokens;
    private final List<Integer> concurrency;
    private final int maxTokens;
    private final int canaryCount;
    private final List<Integer> needleLengths;
    private final int needleEveryRounds;
    private final double contextHeadroomFraction;
    private final Limits limits;
    private final int ioThreads;
    private final Path spoolDir;

    public ProbeAgentConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals, false);
        region = getString(REGION).trim();
        agentIndex = getInt(AGENT_INDEX);
        String id = getString(AGENT_ID).trim();
        agentId = id.isEmpty() ? region + "-" + agentIndex : id;
        roundIntervalMs = getLong(ROUND_INTERVAL_MS);
        long heartbeat = getLong(HEARTBEAT_INTERVAL_MS);
        heartbeatIntervalMs = heartbeat == 0 ? Math.max(1, Math.min(10_000L, roundIntervalMs / 10)) : heartbeat;
        double window = heartbeatIntervalMs * getDouble(HEARTBEAT_LIVENESS_MULTIPLE);
        if (heartbeat != 0 && window >= roundIntervalMs) {
            throw new ConfigException(HEARTBEAT_INTERVAL_MS, heartbeat, "times " + HEARTBEAT_LIVENESS_MULTIPLE + "="
                    + getDouble(HEARTBEAT_LIVENESS_MULTIPLE) + " must be below " + ROUND_INTERVAL_MS + "=" + roundIntervalMs
                    + ", or a crashed agent's endpoints are not taken over within one round");
        }
        arrivalRates = getList(ARRIVAL_RATES).stream().map(s -> Double.parseDouble(s.trim())).distinct().toList();
        roundJitterFraction = getDouble(ROUND_JITTER_FRACTION);
        inputTokens = ints(INPUT_TOKENS);
        concurrency = ints(CONCURRENCY);
        maxTokens = getInt(MAX_TOKENS);
        canaryCount = getInt(CANARY_COUNT);
        needleLengths = ints(NEEDLE_LENGTHS);
        needleEveryRounds = getInt(NEEDLE_EVERY_ROUNDS);
        contextHeadroomFraction = getDouble(CONTEXT_HEADROOM_FRACTION);
        long requestTimeout = getLong(REQUEST_TIMEOUT_MS);
        long firstByteTimeout = getLong(FIRST_BYTE_TIMEOUT_MS);
        int maxLine = getInt(MAX_LINE_BYTES);
        int maxEvent = getInt(MAX_EVENT_BYTES);
        long maxResponse = getLong(MAX_RESPONSE_BYTES);
        if (maxEvent < maxLine) {
            throw new ConfigException(MAX_EVENT_BYTES, maxEvent, "must be at least " + MAX_LINE_BYTES + "=" + maxLine);
        }
        if (maxResponse < maxEvent) {
            throw new ConfigException(MAX_RESPONSE_BYTES, maxResponse, "must be at least " + MAX_EVENT_BYTES + "=" + maxEvent);
        }
        limits = new Limits(getInt(CONNECT_TIMEOUT_MS), firstByteTimeout, requestTimeout, maxLine, maxEvent, maxResponse);
        ioThreads = getInt(IO_THREADS);
        String dir = getString(SPOOL_DIR).trim();
        spoolDir = dir.isEmpty()
                ? Path.of(System.getProperty("java.io.tmpdir"), "tokenarena-probe-spool", agentId)
                : Path.of(dir);
    }

    private static ConfigDef.Validator intsAtLeast(int min) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                List<?> list = (List<?>) value;
                if (list == null || list.isEmpty()) {
                    throw new ConfigException(name, value, "must list at least one integer >= " + min);
                }
                for (Object o : list) {
                    int n;
                    try {
                        n = Integer.parseInt(o.toString().trim());
                    } catch (NumberFormatException e) {
                        throw new ConfigException(name, value, "every entry must be an integer >= " + min + ", got '" + o + "'");
                    }
                    if (n < min) {
                        throw new ConfigException(name, value, "every entry must be an integer >= " + min + ", got " + n);
                    }
                }
            }

            @Override
            public String toString() {
                return "integers >= " + min;
            }
        };
    }

    private static ConfigDef.Validator positiveNumbers() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                for (Object o : (List<?>) value) {
                    double d;
                    try {
                        d = Double.parseDouble(o.toString().trim());
                    } catch (NumberFormatException e) {
                        throw new ConfigException(name, value, "every entry must be a number > 0, got '" + o + "'");
                    }
                    if (!(d > 0) || Double.isInfinite(d)) {
                        throw new ConfigException(name, value, "every entry must be a finite number > 0, got " + o);
                    }
                }
            }

            @Override
            public String toString() {
                return "numbers > 0";
            }
        };
    }

    private List<Integer> ints(String key) {
        return getList(key).stream().map(s -> Integer.parseInt(s.trim())).distinct().toList();
    }

    public String region() {
        return region;
    }

    public String agentId() {
        return agentId;
    }

    public int agentIndex() {
        return agentIndex;
    }

    /** Heartbeat interval in force (the default resolved from round.interval.ms), milliseconds. */
    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public double heartbeatLivenessMultiple() {
        return getDouble(HEARTBEAT_LIVENESS_MULTIPLE);
    }

    public long heartbeatStartupTimeoutMs() {
        return getLong(HEARTBEAT_STARTUP_TIMEOUT_MS);
    }

    /** Open-loop arrival rates, requests per second; empty when open-loop scenarios are off. */
    public List<Double> arrivalRates() {
        return arrivalRates;
    }

    public long arrivalDurationMs() {
        return getLong(ARRIVAL_DURATION_MS);
    }

    public int arrivalMaxInFlight() {
        return getInt(ARRIVAL_MAX_IN_FLIGHT);
    }

    public long arrivalSeed() {
        return getLong(ARRIVAL_SEED);
    }

    public long roundIntervalMs() {
        return roundIntervalMs;
    }

    public double roundJitterFraction() {
        return roundJitterFraction;
    }

    public List<Integer> inputTokens() {
        return inputTokens;
    }

    public List<Integer> concurrency() {
        return concurrency;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int canaryCount() {
        return canaryCount;
    }

    public List<Integer> needleLengths() {
        return needleLengths;
    }

    public int needleEveryRounds() {
        return needleEveryRounds;
    }

    public double contextHeadroomFraction() {
        return contextHeadroomFraction;
    }

    public Limits limits() {
        return limits;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public int metricsPort() {
        return getInt(METRICS_PORT);
    }

    public String metricsHost() {
        return getString(METRICS_HOST);
    }

    public long budgetDailyTokens() {
        return getLong(BUDGET_DAILY_TOKENS);
    }

    public double budgetDailyUsd() {
        return getDouble(BUDGET_DAILY_USD);
    }

    public int costExpensiveInputTokens() {
        return getInt(COST_EXPENSIVE_INPUT_TOKENS);
    }

    public int costExpensiveConcurrency() {
        return getInt(COST_EXPENSIVE_CONCURRENCY);
    }

    public Path spoolDir() {
        return spoolDir;
    }

    public long spoolMaxBytes() {
        return getLong(SPOOL_MAX_BYTES);
    }

    public long spoolSendTimeoutMs() {
        return getLong(SPOOL_SEND_TIMEOUT_MS);
    }

    public long spoolRetryBackoffMs() {
        return getLong(SPOOL_RETRY_BACKOFF_MS);
    }

    public int spoolDedupeScanRecords() {
        return getInt(SPOOL_DEDUPE_SCAN_RECORDS);
    }

    public String bootstrapServers() {
        return getString(CommonConfig.BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return getString(CommonConfig.SCHEMA_REGISTRY_URL);
    }

    /** The catalogue file, or null when none is configured. */
    public String catalogFile() {
        String f = getString(CATALOG_FILE).trim();
        return f.isEmpty() ? null : f;
    }

    /** The configuration reference of the agent, as markdown. */
    public static String markdown() {
        return CommonConfig.markdown("probe-agent", CONFIG_DEF);
    }
}
