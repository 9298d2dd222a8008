package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LeaderboardTableTest {

    private static EndpointComposite composite(String id, double score, Map<String, Double> byRegion) {
        return builder(id, score, byRegion).build();
    }

    /** A fresh builder (a copy builder would deep-copy through Avro's class checks). */
    private static EndpointComposite.Builder builder(String id, double score, Map<String, Double> byRegion) {
        return EndpointComposite.newBuilder().setEndpointId(id).setPreset("chat").setWindow("1h")
                .setWindowStartMs(0).setWindowEndMs(3_600_000).setComputedAtMs(1).setConfigHash("h")
                .setProvider("p").setModel("m").setSku("s").setPrecision("bf16").setRegion("us-east")
                .setScore(score).setFactors(new FactorScores(1.0, 1.0, 1.0, 1.0, 1.0)).setProbeCount(10)
                .setSuccessRate(1.0).setTtftMsP50(123.4).setTtfvMsP50(150.0).setTpotMsP50(3.3).setE2eMsP50(900.0)
                .setTtftMsP50ByRegion(byRegion).setEffectiveContextTokens(65536L);
    }

    @Test
    void shouldPrintEveryRowAndEveryRegionColumnWhenRendering() {
        LeaderboardSnapshot snapshot = LeaderboardSnapshot.newBuilder().setPreset("chat").setWindow("1h")
                .setWindowStartMs(0).setWindowEndMs(3_600_000).setGeneratedAtMs(1).setConfigHash("h")
                .setRows(List.of(new LeaderboardRow(1, composite("a-ep", 80.04, Map.of("us-east", 110.0, "eu-central", 140.0))),
                        new LeaderboardRow(2, composite("b-ep", 60.0, Map.of("ap-southeast", 190.0)))))
                .setRankStabilityKendallTauMin(1.0 / 3).setLeaderStable(false).setRankStabilityPerturbations(10)
                .setFrontierQualityCost(List.of("b-ep", "a-ep")).build();
        String table = LeaderboardTable.render(snapshot);
        assertTrue(table.contains("   1 a-ep"), table);
        assertTrue(table.contains("80.0"), table);
        assertTrue(table.contains("   2 b-ep"), table);
        assertTrue(table.contains("(10 perturbations): min Kendall tau 0.33, leader changes"), table);
        assertTrue(table.contains("Pareto frontier, accuracy vs $/correct: b-ep, a-ep"), table);
        // no throughput frontier given: no line for it
        assertTrue(!table.contains("throughput vs per-stream speed"), table);
        String latency = LeaderboardTable.renderLatency(snapshot);
        // one column per region seen in any row, sorted: ap-southeast, eu-central, us-east
        assertTrue(latency.indexOf("ttft50@ap-southeast") < latency.indexOf("ttft50@eu-central"), latency);
        assertTrue(latency.indexOf("ttft50@eu-central") < latency.indexOf("ttft50@us-east"), latency);
        // a-ep has no ap-southeast figure: "-" there, then 140 and 110
        assertTrue(latency.matches("(?s).*a-ep\\s+123\\s+150\\s+3\\.3\\s+900\\s+-\\s+140\\s+110\\s+65536.*"), latency);
    }

    @Test
    void shouldShowSampleTestPValueInsteadOfFWhenEndpointHasNoLogprobs() {
        EndpointComposite skl = builder("skl-ep", 70.0, Map.of())
                .setFidelity(98.44).setFidelityStatus("faithful").build();
        EndpointComposite sample = builder("nolp-ep", 60.0, Map.of())
                .setFidelity(null).setFidelityStatus("faithful").setFidelityMethod("sample_test")
                .setFidelityPValue(0.4179).setFidelityMmd2(-0.00312).setFidelityEndpointSamples(96)
                .setFidelityReferenceSamples(100).build();
        String table = LeaderboardTable.render(snapshot(skl, sample));
        // F column: 98.4 for the logprobs endpoint, the p-value rounded to two places for the other
        assertTrue(table.matches("(?s).*skl-ep .* 98\\.4 faithful .*"), table);
        assertTrue(table.matches("(?s).*nolp-ep .* p=0\\.42 faithful .*"), table);
        assertTrue(table.contains("fidelity of nolp-ep (no logprobs, so no F): p=0.42 (sample test), MMD^2 -0.0031 "
                + "over 96 endpoint and 100 reference completions"), table);
        assertFalse(table.contains("fidelity of skl-ep"), table);
    }

    @Test
    void shouldPrintSelfHostedCostAndWhatPricesTheRowWhenCatalogueDeclaresGpuHours() {
        // 2 GPUs x 2.50 USD/h = 5 USD/h over 250 tok/s = 900,000 tok/h: 5.555... USD per 1M output tokens
        EndpointComposite quoted = builder("gpu-ep", 70.0, Map.of())
                .setSelfHostedUsdPerMtok(5.0 / 0.9).setSelfHostedAggregateOutputTps(250.0).setSelfHostedConcurrency(4)
                .setSelfHostedSloMet(true).setPriceBasis("token_price").build();
        EndpointComposite blended = builder("gpu-only-ep", 60.0, Map.of())
                .setSelfHostedUsdPerMtok(5.0 / 0.9).setSelfHostedAggregateOutputTps(250.0).setSelfHostedConcurrency(4)
                .setSelfHostedSloMet(false).setPriceBasis("self_hosted").build();
        String table = LeaderboardTable.render(snapshot(quoted, blended));
        assertTrue(table.contains("self-hosted gpu-ep: 5.56 USD per 1M output tokens from GPU-hours at 250.0 tok/s measured "
                + "(concurrency 4, SLO met); $/Mtok above is its quoted token price"), table);
        assertTrue(table.contains("self-hosted gpu-only-ep: 5.56 USD per 1M output tokens from GPU-hours at 250.0 tok/s "
                + "measured (concurrency 4, SLO missed at every level); $/Mtok above is its blend of it"), table);
        assertFalse(table.contains("self-hosted a-ep"), table);
    }

    @Test
    void shouldListEachAgentsShareAndSayWhenAnAgentIsAloneInItsRegion() {
        List<AgentTally.Share> shares = List.of(
                new AgentTally.Share("us-east", "probe-us-east-0", new TreeSet<>(List.of("b", "a")), 40),
                new AgentTally.Share("us-east", "probe-us-east-1", new TreeSet<>(List.of("c")), 21),
                new AgentTally.Share("eu-central", "probe-eu-central-0", new TreeSet<>(List.of("a", "b", "c")), 60));
        String agents = LeaderboardTable.renderAgents(shares, 3);
        assertTrue(agents.contains("Probe agents (3 endpoints per region)"), agents);
        assertTrue(agents.matches("(?s).*us-east +probe-us-east-0 +2/3 +40  a, b\n.*"), agents);
        assertTrue(agents.matches("(?s).*us-east +probe-us-east-1 +1/3 +21  c\n.*"), agents);
        assertTrue(agents.matches("(?s).*eu-central +probe-eu-central-0 +3/3 +60  all \\(alone in its region\\)\n.*"), agents);
        // the progress line's short form, regions in start order, agents joined by '+'
        assertEquals("us-east:2+1,eu-central:3", RunLoop.shares(shares));
    }

    private static LeaderboardSnapshot snapshot(EndpointComposite... composites) {
        List<LeaderboardRow> rows = new java.util.ArrayList<>();
        for (EndpointComposite c : composites) {
            rows.add(new LeaderboardRow(rows.size() + 1, c));
        }
        return LeaderboardSnapshot.newBuilder().setPreset("chat").setWindow("1h").setWindowStartMs(0)
                .setWindowEndMs(3_600_000).setGeneratedAtMs(1).setConfigHash("h").setRows(rows).build();
    }
}
