package dev.tokenarena.schemas;

import dev.tokenarena.schemas.v1.AgentHeartbeat;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one catalogue of TokenArena topics (DESIGN section 3). Topics keyed by endpoint_id share
 * {@link #ENDPOINT_PARTITIONS} so every per-endpoint computation stays local to one task.
 */
public final class Topics {

    /** Partitions of every topic keyed by endpoint_id. */
    public static final int ENDPOINT_PARTITIONS = 6;

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    public static final TopicSpec<Endpoint> ENDPOINTS = compacted("arena.endpoints.v1", Endpoint.class, "endpoint_id");
    public static final TopicSpec<ProbeResult> PROBE_RESULTS = retained("arena.probe.results.v1", ProbeResult.class, 30);
    public static final TopicSpec<EvalItemResult> EVAL_RESULTS = retained("arena.eval.results.v1", EvalItemResult.class, 90);
    public static final TopicSpec<FingerprintSample> EVAL_FINGERPRINTS =
            retained("arena.eval.fingerprints.v1", FingerprintSample.class, 90);
    public static final TopicSpec<PriceQuote> PRICES = compacted("arena.prices.v1", PriceQuote.class, "endpoint_id");
    public static final TopicSpec<GridIntensity> GRID = compacted("arena.grid.v1", GridIntensity.class, "grid zone");
    public static final TopicSpec<EnergyProfile> HARDWARE = compacted("arena.hardware.v1", EnergyProfile.class, "endpoint_id");
    public static final TopicSpec<EndpointComposite> COMPOSITES =
            retained("arena.composites.v1", EndpointComposite.class, 90);
    public static final TopicSpec<LeaderboardSnapshot> LEADERBOARD =
            compacted("arena.leaderboard.v1", LeaderboardSnapshot.class, "preset");
    /** Window label of the main (1 h) composites and leaderboards. */
    public static final String MAIN_WINDOW = "1h";
    public static final TopicSpec<DriftAlert> ALERTS = retained("arena.alerts.drift.v1", DriftAlert.class, 365);
    /**
     * Probe-agent heartbeats keyed by agent_id (latest per agent, a tombstone when an agent stops
     * cleanly): the agents of a region read it to know who is live and share endpoints by
     * rendezvous hashing. One partition: a handful of small records every few seconds.
     */
    public static final TopicSpec<AgentHeartbeat> AGENT_HEARTBEATS =
            new TopicSpec<>("arena.agents.heartbeats.v1", AgentHeartbeat.class, "agent_id", 1, true, -1);
    /** Dead letters: the original key and value bytes with reason headers (see {@link DeadLetters}). */
    public static final TopicSpec<byte[]> DLQ =
            new TopicSpec<>("arena.dlq.v1", null, "source key", ENDPOINT_PARTITIONS, false, 30 * DAY_MS);
    /** Storage of the embedded schema registry: one record per registered schema, compacted. */
    public static final TopicSpec<byte[]> SCHEMAS =
            new TopicSpec<>("_arena_schemas", null, "subject and version", 1, true, -1);

    private static final List<TopicSpec<?>> ALL = List.of(ENDPOINTS, PROBE_RESULTS, EVAL_RESULTS,
            EVAL_FINGERPRINTS, PRICES, GRID, HARDWARE, COMPOSITES, LEADERBOARD, ALERTS, DLQ, SCHEMAS,
            AGENT_HEARTBEATS);

    /**
     * The {@link #LEADERBOARD} key of a preset's board over one window: the bare preset for the
     * main window (the key consumers had before longer windows got boards), preset@window else.
     */
    public static String leaderboardKey(String preset, String window) {
        return MAIN_WINDOW.equals(window) ? preset : preset + "@" + window;
    }

    private Topics() {
    }

    /** Every topic of the catalogue, in a stable order. */
    public static List<TopicSpec<?>> all() {
        return ALL;
    }

    /** The topic with this name, if it is in the catalogue. */
    public static Optional<TopicSpec<?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private static <V> TopicSpec<V> compacted(String name, Class<V> type, String keyDoc) {
        return new TopicSpec<>(name, type, keyDoc, ENDPOINT_PARTITIONS, true, -1);
    }

    private static <V> TopicSpec<V> retained(String name, Class<V> type, int days) {
        return new TopicSpec<>(name, type, "endpoint_id", ENDPOINT_PARTITIONS, false, days * DAY_MS);
    }
}
