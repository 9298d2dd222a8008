package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;

/** Hand-built records for the sink tests. */
final class Fixtures {

    /** 2026-01-01T00:00:00Z. */
    static final long WINDOW_START_MS = 1_767_225_600_000L;
    /** One hour later, 2026-01-01T01:00:00Z. */
    static final long GENERATED_AT_MS = WINDOW_START_MS + 3_600_000L;
    static final String CONFIG_HASH = "a1b2c3d4e5f60718";
    static final String NO_LOGPROBS = "quiet-llama70b-bf16-use1";
    static final String SELF_HOSTED = "own-llama70b-bf16-use1";

    private Fixtures() {
    }

    /**
     * A chat leaderboard of two endpoints. Row 1's derived figures are consistent by hand:
     * usd_per_correct = p * T / A = 0.88 USD/Mtok * 1000 tok / 0.8 = 0.0011 USD, and
     * j_per_correct = j * T / A = 0.35 J * 1000 / 0.8 = 437.5 J. Row 2 has no eval data, so its
     * accuracy-based figures are null, and a SKU with a comma to exercise CSV quoting.
     */
    static LeaderboardSnapshot snapshot(long generatedAtMs) {
        EndpointComposite first = composite("acme-llama70b-fp8-use1", "acme", "turbo", "fp8", "us-east", 87.5,
                new FactorScores(1.0, 0.75, 1.0, 0.5, 1.0), generatedAtMs)
                .setProbeCount(120).setSuccessRate(0.99)
                .setOutputTpsP50(142.5).setTtftMsP50(210.0).setTtftMsP99(880.0).setBlendedUsdPerMtok(0.88)
                .setAccuracy(0.8).setEvalCount(500).setTokensToSolution(null).setUsdPerCorrect(0.0011)
                .setJPerToken(0.35).setJPerCorrect(437.5).setGco2PerMtok(45.5)
                .setFidelity(92.1).setFidelityStatus("drifted").setFidelityPrompts(16)
                .setEffectiveContextTokens(65536L)
                .setTtftMsP50ByRegion(Map.of("us-east", 200.0, "eu-central", 310.0))
                .build();
        EndpointComposite second = composite("base-llama70b-bf16-euc1", "base", "standard,eu", "bf16", "eu-central",
                62.25, new FactorScores(0.25, 0.0, 0.0, 1.0, 0.5), generatedAtMs)
                .setProbeCount(100).setSuccessRate(0.95)
                .setOutputTpsP50(35.0).setTtftMsP50(150.0).setTtftMsP99(400.0).setBlendedUsdPerMtok(2.0)
                .setFidelityStatus("reference")
                .build();
        return chatBoard(generatedAtMs, first, second).build();
    }

    /**
     * A chat leaderboard with the figures added after the sink's first release.
     * <ul>
     * <li>Row 1 returns no logprobs, so F is null and its status rests on the sample-only test
     * (16 prompts x 4 completions = 64 per side).
     * <li>Row 2 is self-hosted with no quoted price: 8 GPUs x 2.50 USD/GPU-hour = 20 USD/h over
     * 500 tok/s x 3600 s = 1.8M tok/h gives 11.11 USD per 1M output tokens, blended for chat 3:1
     * as 11.11 x 1 / 4 = 2.78 (input is free).
     * <li>CCA = p * T / A: row 1 0.6 USD/Mtok x 1000 tok / 0.8 = 0.00075 USD, row 2
     * 2.78 x 1000 / 0.85 = 0.0033 USD. Neither row dominates on either frontier (row 1 cheaper per
     * correct answer and faster per stream, row 2 more accurate with more aggregate throughput), so
     * both frontiers hold both ids. Swapping two rows gives Kendall tau -1, and row 1 is not first
     * under every perturbation.
     * </ul>
     */
    static LeaderboardSnapshot sampleTestAndSelfHostedSnapshot() {
        double selfHostedUsdPerMtok = 8 * 2.50 / (500.0 * 3600) * 1e6;
        double selfHostedBlended = selfHostedUsdPerMtok / 4;
        EndpointComposite noLogprobs = composite(NO_LOGPROBS, "quiet", "lite", "bf16", "us-east", 71.0,
                new FactorScores(1.0, 1.0, 1.0, 0.0, 1.0), GENERATED_AT_MS)
                .setProbeCount(90).setSuccessRate(1.0).setOutputTpsP50(60.0).setTtftMsP50(300.0)
                .setBlendedUsdPerMtok(0.6).setPriceBasis("token_price").setAccuracy(0.8).setTokensToSolution(1000.0)
                .setUsdPerCorrect(0.6 * 1000 / 1e6 / 0.8)
                .setAggregateOutputTps(480.0)
                .setFidelity(null).setFidelityStatus("faithful").setFidelityMethod("sample_test")
                .setFidelityPrompts(16).setFidelityPValue(0.84).setFidelityMmd2(0.0012)
                .setFidelityEndpointSamples(64).setFidelityReferenceSamples(64)
                .build();
        EndpointComposite selfHosted = composite(SELF_HOSTED, "own", "h100x8", "bf16", "us-east", 64.5,
                new FactorScores(0.0, 0.0, 0.0, 1.0, 1.0), GENERATED_AT_MS)
                .setProbeCount(90).setSuccessRate(1.0).setOutputTpsP50(50.0).setTtftMsP50(420.0)
                .setAccuracy(0.85).setTokensToSolution(1000.0).setAggregateOutputTps(500.0)
                .setFidelity(99.4).setFidelityStatus("faithful").setFidelityNoiseFloor(99.6).setFidelityPrompts(16)
                .setPriceBasis("self_hosted").setSelfHostedUsdPerMtok(selfHostedUsdPerMtok)
                .setBlendedUsdPerMtok(selfHostedBlended)
                .setUsdPerCorrect(selfHostedBlended * 1000 / 1e6 / 0.85)
                .setSelfHostedConcurrency(10).setSelfHostedAggregateOutputTps(500.0).setSelfHostedSloMet(true)
                .build();
        return chatBoard(GENERATED_AT_MS, noLogprobs, selfHosted)
                .setRankStabilityKendallTauMin(-1.0).setLeaderStable(false).setRankStabilityPerturbations(10)
                .setFrontierQualityCost(List.of(NO_LOGPROBS, SELF_HOSTED))
                .setFrontierThroughputInteractivity(List.of(NO_LOGPROBS, SELF_HOSTED))
                .build();
    }

    /** A 1 h chat board of two rows, ranked in the order given. */
    private static LeaderboardSnapshot.Builder chatBoard(long generatedAtMs, EndpointComposite first,
                                                         EndpointComposite second) {
        return LeaderboardSnapshot.newBuilder()
                .setPreset("chat").setWindow("1h")
                .setWindowStartMs(WINDOW_START_MS).setWindowEndMs(WINDOW_START_MS + 3_600_000L)
                .setGeneratedAtMs(generatedAtMs).setConfigHash(CONFIG_HASH)
                .setRows(List.of(new LeaderboardRow(1, first), new LeaderboardRow(2, second)));
    }

    private static EndpointComposite.Builder composite(String id, String provider, String sku, String precision,
                                                       String region, double score, FactorScores factors,
                                                       long computedAtMs) {
        return EndpointComposite.newBuilder()
                .setEndpointId(id).setPreset("chat").setWindow("1h")
                .setWindowStartMs(WINDOW_START_MS).setWindowEndMs(WINDOW_START_MS + 3_600_000L)
                .setComputedAtMs(computedAtMs).setConfigHash(CONFIG_HASH)
                .setProvider(provider).setModel("llama-3.3-70b").setSku(sku).setPrecision(precision)
                .setRegion(region).setScore(score).setFactors(factors);
    }

    static DriftAlert alert(String id, String state) {
        return DriftAlert.newBuilder()
                .setAlertId(id).setEndpointId("acme-llama70b-fp8-use1").setKind("fidelity").setState(state)
                .setOpenedAtMs(GENERATED_AT_MS).setEventTimeMs(GENERATED_AT_MS).setSeverity("warning")
                .setSummary("fidelity fell from 99.6 to 92.1").setConfigHash(CONFIG_HASH)
                .setEvidence(AlertEvidence.newBuilder().setMetric("fidelity_f").setBaseline(99.6).setCurrent(92.1)
                        .setThreshold(97.0).build())
                .build();
    }

    static PriceQuote price(double inputUsdPerMtok) {
        return PriceQuote.newBuilder().setEndpointId("acme-llama70b-fp8-use1").setInputUsdPerMtok(inputUsdPerMtok)
                .setOutputUsdPerMtok(0.88).setSource("catalog").setEffectiveFromMs(GENERATED_AT_MS).build();
    }

    static byte[] encodedSnapshot(LeaderboardSnapshot snapshot) {
        return AvroWireSerde.forTopic(Topics.LEADERBOARD, InMemoryRegistryFactory.REGISTRY)
                .encode(Topics.LEADERBOARD.name(), snapshot);
    }

    static SinkRecord record(String topic, int partition, long offset, String key, Object value) {
        return new SinkRecord(topic, partition, null, key, null, value, offset);
    }
}
