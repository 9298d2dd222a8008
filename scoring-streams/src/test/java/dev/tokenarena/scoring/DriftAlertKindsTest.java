package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** One TopologyTestDriver test per drift alert kind: opens once, no duplicate, resolves. */
class DriftAlertKindsTest {

    private static final long HOUR = 60 * MINUTE;

    private static ScoringParams params(String... replacements) {
        String yaml = ScoringParamsTest.defaultYaml();
        for (int i = 0; i < replacements.length; i += 2) {
            assertTrue(yaml.contains(replacements[i]), replacements[i]);
            yaml = yaml.replace(replacements[i], replacements[i + 1]);
        }
        return ScoringParams.parse(yaml, "test");
    }

    private static List<DriftAlert> alerts(Fixture f, String kind) {
        return f.alerts.readValuesToList().stream().filter(a -> a.getKind().equals(kind)).toList();
    }

    private static void assertOpenThenResolved(List<DriftAlert> alerts, String endpoint, String kind, long openedAt,
                                               long resolvedAt) {
        assertEquals(2, alerts.size(), alerts.toString());
        assertEquals("OPEN", alerts.get(0).getState());
        assertEquals(endpoint + ":" + kind + ":" + openedAt, alerts.get(0).getAlertId());
        assertEquals(openedAt, alerts.get(0).getEventTimeMs());
        assertEquals("RESOLVED", alerts.get(1).getState());
        assertEquals(alerts.get(0).getAlertId(), alerts.get(1).getAlertId());
        assertEquals(openedAt, alerts.get(1).getOpenedAtMs());
        assertEquals(resolvedAt, alerts.get(1).getEventTimeMs());
    }

    @Test
    void shouldOpenAndResolveAvailabilityAlertWhenSuccessRateDropsAndRecovers() throws Exception {
        try (Fixture f = new Fixture(params("min_probes: 20", "min_probes: 4"))) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            // 10:01..10:04 four OK probes: window [09:05, 10:05): 4 of 4 -> healthy, baseline 1.0
            for (int i = 1; i <= 4; i++) {
                f.pipe(f.probes, "e1", Events.probe("e1", T0 + i * MINUTE).build());
            }
            // 10:06 a failure: window [09:10, 10:10) = 4 OK of 5 -> 0.8 < 0.95: OPEN (0.8 >= 0.475: warning)
            long openedAt = T0 + 6 * MINUTE;
            f.pipe(f.probes, "e1", Events.probe("e1", openedAt).setOutcome("TIMEOUT").build());
            // 10:07 another: 4 of 6 = 0.667, still open: no second OPEN
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 7 * MINUTE).setOutcome("TIMEOUT").build());
            // 11:10..11:13: window [10:15, 11:15) leaves the failures out; 1..3 probes < 4: no decision,
            // the 4th makes 4 of 4 = 1.0 >= 0.97: RESOLVED at 11:13
            for (int i = 0; i < 4; i++) {
                f.pipe(f.probes, "e1", Events.probe("e1", T0 + 70 * MINUTE + i * MINUTE).build());
            }
            // read as bytes: the order Avro wrote the evidence map in is only there (decoding makes a HashMap)
            AvroWireSerde<DriftAlert> serde = AvroWireSerde.forTopic(Topics.ALERTS, f.registry);
            List<byte[]> raw = f.driver.createOutputTopic(Topics.ALERTS.name(), new StringDeserializer(),
                    new ByteArrayDeserializer()).readValuesToList().stream()
                    .filter(b -> serde.decode(b).getKind().equals("AVAILABILITY")).toList();
            List<DriftAlert> a = raw.stream().map(serde::decode).toList();
            assertOpenThenResolved(a, "e1", "AVAILABILITY", openedAt, T0 + 73 * MINUTE);
            // written in this order in every process, so a replay is byte-identical across processes
            String openBytes = new String(raw.get(0), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(openBytes.indexOf("ok_count") < openBytes.indexOf("window_start_ms")
                    && openBytes.indexOf("window_start_ms") < openBytes.indexOf("window_end_ms"), openBytes);
            DriftAlert open = a.get(0);
            assertEquals("warning", open.getSeverity());
            assertEquals("success_rate", open.getEvidence().getMetric());
            assertEquals(1.0, open.getEvidence().getBaseline(), 1e-12);
            assertEquals(4L, open.getEvidence().getBaselineCount());
            assertEquals(0.8, open.getEvidence().getCurrent(), 1e-12);
            assertEquals(5L, open.getEvidence().getCurrentCount());
            assertEquals(0.95, open.getEvidence().getThreshold(), 1e-12);
            assertEquals("4", open.getEvidence().getDetails().get("ok_count"));
            assertEquals(1.0, a.get(1).getEvidence().getCurrent(), 1e-12);
        }
    }

    @Test
    void shouldOpenAndResolveTtftAlertWhenP99RegressesAgainstHourlyBaseline() throws Exception {
        try (Fixture f = new Fixture(params("min_timing_probes: 20", "min_timing_probes: 1",
                "min_baseline_hours: 6", "min_baseline_hours: 2"))) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            // One probe every 2 h, each alone in its 1 h window. History point = hour in which the
            // window ends: 10:30 -> window ends 10:35 -> point 11:00; 12:30 -> 13:00; 14:30 -> 15:00.
            // Baseline = hourly points at or before the current window start.
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 30 * MINUTE).setTtftMs(100.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 150 * MINUTE).setTtftMs(100.0).build()); // 1 point: no decision
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 270 * MINUTE).setTtftMs(100.0).build()); // median 100, ratio 1
            // 16:30 TTFT 250: window [15:35, 16:35), baseline {11, 13, 15 h} = 100 -> ratio 2.5 > 1.5: OPEN
            // (2.5 <= 2 x 1.5: warning); p99 values from the DDSketch are within 1%.
            long openedAt = T0 + 390 * MINUTE;
            f.pipe(f.probes, "e1", Events.probe("e1", openedAt).setTtftMs(250.0).build());
            // 16:31 TTFT 250 again: p99 of {250, 250} = 250, still open: no second OPEN
            f.pipe(f.probes, "e1", Events.probe("e1", openedAt + MINUTE).setTtftMs(250.0).build());
            // 18:30 TTFT 110: baseline {100, 100, 100, 250 (17 h)} -> median 100; 1.1 <= 1.25: RESOLVED
            long resolvedAt = T0 + 510 * MINUTE;
            f.pipe(f.probes, "e1", Events.probe("e1", resolvedAt).setTtftMs(110.0).build());
            List<DriftAlert> a = alerts(f, "TTFT_P99");
            assertOpenThenResolved(a, "e1", "TTFT_P99", openedAt, resolvedAt);
            DriftAlert open = a.get(0);
            assertEquals("warning", open.getSeverity());
            assertEquals("ttft_ms_p99", open.getEvidence().getMetric());
            assertEquals(100.0, open.getEvidence().getBaseline(), 1.0);
            assertEquals(3L, open.getEvidence().getBaselineCount());
            assertEquals(250.0, open.getEvidence().getCurrent(), 2.5);
            assertEquals(1L, open.getEvidence().getCurrentCount());
            assertEquals(2.5, open.getEvidence().getStatistic(), 0.06);
            assertEquals(150.0, open.getEvidence().getThreshold(), 1.5);
            assertEquals("3", open.getEvidence().getDetails().get("baseline_hours"));
            assertEquals(1.1, a.get(1).getEvidence().getStatistic(), 0.03);
        }
    }

    /**
     * Healthy hours at 100, 150, 200 ms p99: median 150, MAD = median(50, 0, 50) = 50, so the open
     * ratio rises from 1.5 to 1 + 3 x 1.4826 x 50 / 150 = 2.4826. A p99 of 300 ms is 2.0x the
     * baseline: above the fixed 1.5 but within this endpoint's own variation, so no alert; 400 ms
     * (2.67x) opens.
     */
    @Test
    void shouldNotOpenTtftAlertWhenRegressionIsWithinEndpointsOwnHourlyVariation() throws Exception {
        try (Fixture f = new Fixture(params("min_timing_probes: 20", "min_timing_probes: 1",
                "min_baseline_hours: 6", "min_baseline_hours: 3"))) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            double[] healthy = {100.0, 150.0, 200.0};
            for (int i = 0; i < 3; i++) {
                f.pipe(f.probes, "e1", Events.probe("e1", T0 + (30 + 120 * i) * MINUTE).setTtftMs(healthy[i]).build());
            }
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 390 * MINUTE).setTtftMs(300.0).build());
            assertTrue(alerts(f, "TTFT_P99").isEmpty());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 391 * MINUTE).setTtftMs(400.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 392 * MINUTE).setTtftMs(400.0).build());
            List<DriftAlert> a = alerts(f, "TTFT_P99");
            assertEquals(1, a.size(), a.toString());
            assertEquals(T0 + 392 * MINUTE, a.get(0).getEventTimeMs());
            assertEquals(150.0, a.get(0).getEvidence().getBaseline(), 1.5);
            assertEquals(2.4826 * 150, a.get(0).getEvidence().getThreshold(), 2.4826 * 150 * 0.02);
        }
    }

    @Test
    void shouldOpenAndResolveAccuracyAlertWhenTwoProportionTestRejects() throws Exception {
        try (Fixture f = new Fixture(params("min_graded: 100", "min_graded: 10"))) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            // baseline day: 30 h before T0, 18 of 20 correct (0.9)
            for (int i = 0; i < 20; i++) {
                f.pipe(f.evals, "e1", Events.eval("e1", T0 - 30 * HOUR + i * 1000, "OK", i >= 2, 100, 0.001));
            }
            // current hour T0: 4 correct, then wrong ones. At the 10th item: 4 of 10 = 0.4;
            // pooled p = 22/30 = 0.73333, se = sqrt(0.73333 x 0.26667 x (1/20 + 1/10)) = 0.171270,
            // z = (0.4 - 0.9) / 0.171270 = -2.9194 < -2.576: OPEN (0.4 < 0.9 - 0.1: critical)
            for (int i = 0; i < 10; i++) {
                f.pipe(f.evals, "e1", Events.eval("e1", T0 + i * 1000, "OK", i < 4, 100, 0.001));
            }
            long openedAt = T0 + 9 * 1000;
            // 11th: 4 of 11, z = -3.148, still open: no second OPEN; a timeout is not graded at all
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 10_000, "OK", false, 100, 0.001));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 11_000, "TIMEOUT", false, 0, 0.001));
            // 25 h later the current period is that hour alone; the baseline pools the rest:
            // 22 of 31. 10 correct of 10 -> z > 0 >= -1.0: RESOLVED at the 10th
            for (int i = 0; i < 10; i++) {
                f.pipe(f.evals, "e1", Events.eval("e1", T0 + 25 * HOUR + i * 1000, "OK", true, 100, 0.001));
            }
            List<DriftAlert> a = alerts(f, "ACCURACY");
            assertOpenThenResolved(a, "e1", "ACCURACY", openedAt, T0 + 25 * HOUR + 9 * 1000);
            DriftAlert open = a.get(0);
            assertEquals("critical", open.getSeverity());
            assertEquals("accuracy", open.getEvidence().getMetric());
            assertEquals(0.9, open.getEvidence().getBaseline(), 1e-12);
            assertEquals(20L, open.getEvidence().getBaselineCount());
            assertEquals(0.4, open.getEvidence().getCurrent(), 1e-12);
            assertEquals(10L, open.getEvidence().getCurrentCount());
            assertEquals(-2.9194, open.getEvidence().getStatistic(), 1e-4);
            assertEquals(-2.576, open.getEvidence().getThreshold(), 1e-12);
            DriftAlert resolved = a.get(1);
            assertEquals(22.0 / 31, resolved.getEvidence().getBaseline(), 1e-12);
            assertEquals(31L, resolved.getEvidence().getBaselineCount());
            assertEquals(1.0, resolved.getEvidence().getCurrent(), 1e-12);
        }
    }

    @Test
    void shouldEmitOpenAndResolvedAtOnceWhenPriceChanges() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            // first quote: nothing to compare with; the same quote again: no change
            f.pipe(f.prices, "e1", Events.price("e1", 0.60, 0.80, T0));
            f.pipe(f.prices, "e1", Events.price("e1", 0.60, 0.80, T0 + MINUTE));
            assertTrue(alerts(f, "PRICE").isEmpty());
            // output 0.80 -> 1.00: OPEN + RESOLVED at 10:02, warning (a rise); 1:1 blend 0.70 -> 0.80
            long changedAt = T0 + 2 * MINUTE;
            f.pipe(f.prices, "e1", Events.price("e1", 0.60, 1.00, changedAt));
            List<DriftAlert> a = alerts(f, "PRICE");
            assertOpenThenResolved(a, "e1", "PRICE", changedAt, changedAt);
            assertEquals("warning", a.get(0).getSeverity());
            assertEquals(0.70, a.get(0).getEvidence().getBaseline(), 1e-12);
            assertEquals(0.80, a.get(0).getEvidence().getCurrent(), 1e-12);
            assertEquals(0.80 / 0.70, a.get(0).getEvidence().getStatistic(), 1e-12);
            assertEquals("0.8", a.get(0).getEvidence().getDetails().get("output_usd_per_mtok_before"));
            assertNull(a.get(0).getEvidence().getThreshold());
            // input 0.60 -> 0.50: a new pair with its own id, info (a cut)
            f.pipe(f.prices, "e1", Events.price("e1", 0.50, 1.00, T0 + 3 * MINUTE));
            List<DriftAlert> b = alerts(f, "PRICE");
            assertEquals(2, b.size(), b.toString());
            assertEquals("e1:PRICE:" + (T0 + 3 * MINUTE), b.get(0).getAlertId());
            assertEquals("info", b.get(0).getSeverity());
        }
    }

    private static ProbeResult canary(String endpoint, long at, String hash) {
        return Events.probe(endpoint, at).setKind("canary").setScenario("canary-0").setCanaryId("c1")
                .setResponseSha256(hash).build();
    }

    @Test
    void shouldOpenAndResolveCanaryAlertWhenNewHashDominatesAndReturns() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            // the reference itself wavers at temperature 0: A, B, A -> variants {A, B}, 3 samples
            String[] ref = {"A", "B", "A"};
            for (int i = 0; i < 3; i++) {
                f.pipe(f.probes, "ref", canary("ref", T0 + i * MINUTE, ref[i]));
            }
            // e1 wavers between the reference's own answers, B three times in a row included: no alert
            String[] e1 = {"B", "A", "B", "B", "B"};
            long t = T0 + 10 * MINUTE;
            for (String h : e1) {
                f.pipe(f.probes, "e1", canary("e1", t += MINUTE, h));
            }
            assertTrue(alerts(f, "CANARY_HASH").isEmpty());
            // C, C, C: three rounds of an answer the reference never gave: OPEN at the third
            f.pipe(f.probes, "e1", canary("e1", t += MINUTE, "C"));
            f.pipe(f.probes, "e1", canary("e1", t += MINUTE, "C"));
            long openedAt = t += MINUTE;
            f.pipe(f.probes, "e1", canary("e1", openedAt, "C"));
            f.pipe(f.probes, "e1", canary("e1", t += MINUTE, "C")); // still open: no second OPEN
            long resolvedAt = t += MINUTE;
            f.pipe(f.probes, "e1", canary("e1", resolvedAt, "A")); // an answer the reference gives: RESOLVED
            List<DriftAlert> a = alerts(f, "CANARY_HASH");
            assertOpenThenResolved(a, "e1", "CANARY_HASH", openedAt, resolvedAt);
            DriftAlert open = a.get(0);
            assertEquals("canary_consecutive_new_hash_rounds", open.getEvidence().getMetric());
            assertEquals(3.0, open.getEvidence().getCurrent(), 0.0);
            assertEquals(3.0, open.getEvidence().getThreshold(), 0.0);
            // baseline = the reference's distinct variants (2) over its 3 samples; history 8 answers
            assertEquals(2.0, open.getEvidence().getBaseline(), 0.0);
            assertEquals(3L, open.getEvidence().getBaselineCount());
            assertEquals(8L, open.getEvidence().getCurrentCount());
            assertEquals("C", open.getEvidence().getDetails().get("new_dominant_hash"));
            // before the run of C: B, A, B, B, B -> B dominant
            assertEquals("B", open.getEvidence().getDetails().get("previous_dominant_hash"));
            assertEquals("A,B", open.getEvidence().getDetails().get("reference_variants"));
        }
    }

    @Test
    void shouldNotOpenCanaryAlertWhenNewAnswersKeepChangingOrReferenceIsUnknown() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            f.pipe(f.endpoints, "e2", Events.endpoint("e2", "m2", false, T0));
            for (int i = 0; i < 3; i++) {
                f.pipe(f.probes, "ref", canary("ref", T0 + i * MINUTE, "A"));
            }
            // e1: new answers, but never the same one three rounds in a row
            String[] e1 = {"D", "E", "D", "F", "F", "E"};
            long t = T0 + 10 * MINUTE;
            for (String h : e1) {
                f.pipe(f.probes, "e1", canary("e1", t += MINUTE, h));
            }
            // e2: model m2 has no reference answers (0 < 3 samples): no decision
            for (int i = 0; i < 4; i++) {
                f.pipe(f.probes, "e2", canary("e2", t += MINUTE, "Z"));
            }
            assertTrue(alerts(f, "CANARY_HASH").isEmpty());
        }
    }
}
