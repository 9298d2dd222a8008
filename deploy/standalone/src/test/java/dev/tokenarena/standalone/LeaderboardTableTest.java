package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderboardTableTest {

    private static EndpointComposite composite(String id, double score, Map<String, Double> byRegion) {
        return EndpointComposite.newBuilder().setEndpointId(id).setPreset("chat").setWindow("1h")
                .setWindowStartMs(0).setWindowEndMs(3_600_000).setComputedAtMs(1).setConfigHash("h")
                .setProvider("p").setModel("m").setSku("s").setPrecision("bf16").setRegion("us-east")
                .setScore(score).setFactors(new FactorScores(1.0, 1.0, 1.0, 1.0, 1.0)).setProbeCount(10)
                .setSuccessRate(1.0).setTtftMsP50(123.4).setTtfvMsP50(150.0).setTpotMsP50(3.3).setE2eMsP50(900.0)
                .setTtftMsP50ByRegion(byRegion).setEffectiveContextTokens(65536L).build();
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
}
