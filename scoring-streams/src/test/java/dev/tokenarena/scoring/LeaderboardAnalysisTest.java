package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderboardAnalysisTest {

    /** Weights speed .3, ttft .2, price .2, quality .2, reliability .1. */
    private static final ScoringParams.Weights W = new ScoringParams.Weights(0.3, 0.2, 0.2, 0.2, 0.1);

    private static EndpointComposite row(String id, FactorScores f) {
        return row(id, f, null, null, null, null);
    }

    private static EndpointComposite row(String id, FactorScores f, Double accuracy, Double usdPerCorrect,
                                         Double tps, Double aggregateTps) {
        long end = T0 + 60 * MINUTE;
        return EndpointComposite.newBuilder().setEndpointId(id).setPreset("chat").setWindow("1h")
                .setWindowStartMs(end - 60 * MINUTE).setWindowEndMs(end).setComputedAtMs(end).setConfigHash("h")
                .setProvider("p").setModel("m").setSku("s").setPrecision("bf16").setRegion("r").setScore(0.0)
                .setFactors(f).setProbeCount(1).setSuccessRate(1.0).setAccuracy(accuracy)
                .setUsdPerCorrect(usdPerCorrect).setOutputTpsP50(tps).setAggregateOutputTps(aggregateTps).build();
    }

    private static FactorScores all(double v) {
        return new FactorScores(v, v, v, v, v);
    }

    /**
     * a is strong on speed, TTFT, reliability (1, 1, 0, 0, 1), b on price and quality (0, 0, 1, 1, 0),
     * c is 0.55 on all (scores 55 under any weights summing to 1). Base: a = .3+.2+.1 = 60, c = 55,
     * b = 40: order a, c, b. Perturbations (renormalized by 1.1 after +10, 0.9 after -10):
     * <pre>
     * +speed/+ttft/+rel : a = .7/1.1 = 63.6, b = .4/1.1 = 36.4 -> a c b, tau 1
     * -speed/-ttft/-rel : a = .5/.9 = 55.6, b = .4/.9 = 44.4   -> a c b, tau 1
     * +price/+quality   : a = .6/1.1 = 54.5, b = .5/1.1 = 45.5 -> c a b, 1 discordant pair of 3: tau 1/3
     * -price/-quality   : a = .6/.9 = 66.7,  b = .3/.9 = 33.3  -> a c b, tau 1
     * </pre>
     * min tau = 1/3 and the leader changes (c leads twice); 5 factors x 2 signs = 10 perturbations.
     */
    @Test
    void shouldReportMinKendallTauAndLeaderChangeWhenWeightsArePerturbed() {
        List<EndpointComposite> ranked = List.of(row("a", new FactorScores(1.0, 1.0, 0.0, 0.0, 1.0)),
                row("c", all(0.55)), row("b", new FactorScores(0.0, 0.0, 1.0, 1.0, 0.0)));
        LeaderboardAnalysis.RankStability s = LeaderboardAnalysis.rankStability(ranked, W);
        assertEquals(1.0 / 3, s.kendallTauMin(), 1e-12);
        assertFalse(s.leaderStable());
        assertEquals(10, s.perturbations());
    }

    /** As above with c at 0.52: the closest call is a = 54.5 vs c = 52 under +price, so nothing moves. */
    @Test
    void shouldReportStableLeaderWhenNoPerturbationReordersRows() {
        List<EndpointComposite> ranked = List.of(row("a", new FactorScores(1.0, 1.0, 0.0, 0.0, 1.0)),
                row("c", all(0.52)), row("b", new FactorScores(0.0, 0.0, 1.0, 1.0, 0.0)));
        LeaderboardAnalysis.RankStability s = LeaderboardAnalysis.rankStability(ranked, W);
        assertEquals(1.0, s.kendallTauMin(), 1e-12);
        assertTrue(s.leaderStable());
        assertNull(LeaderboardAnalysis.rankStability(List.of(row("a", all(1.0))), W));
    }

    /** Kendall tau-a: reversing 3 items makes all 3 pairs discordant: -1; one adjacent swap of 4: (5 - 1) / 6. */
    @Test
    void shouldComputeKendallTauWhenOrdersDiffer() {
        assertEquals(-1.0, LeaderboardAnalysis.kendallTau(List.of("a", "b", "c"), List.of("c", "b", "a")), 1e-12);
        assertEquals(4.0 / 6, LeaderboardAnalysis.kendallTau(List.of("a", "b", "c", "d"),
                List.of("b", "a", "c", "d")), 1e-12);
    }

    /**
     * Quality vs $/correct: a (0.90, $0.010), b (0.80, $0.005), c (0.85, $0.012) is dominated by a
     * (more accurate and cheaper), d equals a (kept), e has no accuracy (left out) -> b, a, d
     * (cheapest first, ties by id). Per-stream vs aggregate tokens/s: a (50, 1600), b (25, 3200),
     * c (40, 1200) dominated by a, d (60, 600), e no aggregate (left out) -> d, a, b.
     */
    @Test
    void shouldListNonDominatedEndpointsWhenSnapshotIsBuilt() {
        List<EndpointComposite> rows = List.of(
                row("a", all(1.0), 0.90, 0.010, 50.0, 1600.0),
                row("b", all(0.9), 0.80, 0.005, 25.0, 3200.0),
                row("c", all(0.8), 0.85, 0.012, 40.0, 1200.0),
                row("d", all(0.7), 0.90, 0.010, 60.0, 600.0),
                row("e", all(0.6), null, 0.001, 99.0, null));
        LeaderboardSnapshot s = LeaderboardBuilder.snapshot("chat", rows, T0 + 60 * MINUTE, ScoringParams.defaults());
        assertEquals(List.of("b", "a", "d"), s.getFrontierQualityCost());
        assertEquals(List.of("d", "a", "b"), s.getFrontierThroughputInteractivity());
        // all rows carry score 0, so the snapshot's order is by id; factors "all(v)" keep that order
        // under every perturbation except where scores tie -- here every factor vector is uniform
        // and distinct, so each perturbed score is 100 v: order a, b, c, d, e always -> tau 1, stable
        assertEquals(1.0, s.getRankStabilityKendallTauMin(), 1e-12);
        assertTrue(s.getLeaderStable());
        assertEquals(10, s.getRankStabilityPerturbations());
    }
}
