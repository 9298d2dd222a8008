package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.QualityStats;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class QualityAndContextTest {

    @Test
    void shouldCountOnlyGradedItemsInAccuracyWhenSomeRequestsFail() throws Exception {
        try (Fixture f = new Fixture()) {
            // 4 graded (3 correct; 100, 200, 300, 400 output tokens) + 1 TIMEOUT, all 0.001 USD.
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + MINUTE, "OK", true, 100, 0.001));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 2 * MINUTE, "OK", true, 200, 0.001));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 3 * MINUTE, "OK", false, 300, 0.001));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 4 * MINUTE, "TIMEOUT", false, 0, 0.001));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 5 * MINUTE, "OK", true, 400, 0.001));
            QualityStats q = f.store(ScoringTopology.QUALITY_STORE, "e1");
            // trailing 24h window of 10:05 (hop 1h): [2025-12-31T11:00, 2026-01-01T11:00)
            assertEquals(T0 + 60 * MINUTE, q.getWindowEndMs());
            assertEquals(5, q.getItemCount());
            assertEquals(4, q.getGradedCount());
            assertEquals(1, q.getFailedCount());
            // accuracy = 3 / 4 = 0.75; Wilson 95% = [0.300642, 0.954413] (see CompositeMathTest)
            assertEquals(0.75, q.getAccuracy(), 1e-12);
            assertEquals(0.300642, q.getAccuracyCiLow(), 1e-5);
            assertEquals(0.954413, q.getAccuracyCiHigh(), 1e-5);
            // T_e = (100 + 200 + 300 + 400) / 4 = 250 tokens (the timeout is not graded)
            assertEquals(250.0, q.getTokensToSolution(), 1e-12);
            // measured $/correct = 5 x 0.001 (the failed request was paid too) / 3 = 0.0016667
            assertEquals(0.005 / 3, q.getUsdPerCorrectMeasured(), 1e-12);
        }
    }

    @Test
    void shouldTakeLargestMonotonePassingLengthWhenNeedleResultsArrive() throws Exception {
        try (Fixture f = new Fixture()) {
            long t = T0;
            // 1000: F, T, T, F -> last 3 = T, T, F: 2 of 3 found -> passes
            for (boolean found : new boolean[] {false, true, true, false}) {
                f.pipe(f.probes, "e1", Events.needle("e1", t += MINUTE, 1000, found));
            }
            // 4000: T, F, F -> 1 of 3 -> fails; 8000: T, T, T passes but 4000 below it fails
            for (boolean found : new boolean[] {true, false, false}) {
                f.pipe(f.probes, "e1", Events.needle("e1", t += MINUTE, 4000, found));
            }
            for (int i = 0; i < 3; i++) {
                f.pipe(f.probes, "e1", Events.needle("e1", t += MINUTE, 8000, true));
            }
            KeyValueStore<String, dev.tokenarena.scoring.avro.NeedleState> store =
                    f.driver.getKeyValueStore(ScoringTopology.NEEDLE_STORE);
            // effective context = 1000: the largest length with every smaller length passing
            assertEquals(1000L, NeedleContext.effectiveContext(store.get("e1")));
            // Needle probes count for the success rate (10 requests, 10 OK) but never for latency.
            ProbeStats s = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(10, s.getProbeCount());
            assertEquals(0, s.getTimingCount());
            assertNull(s.getTtftMsP50());
        }
    }

    @Test
    void shouldCountFailuresInSuccessRateWhenProbesOfAnyKindFail() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).setTtftMs(100.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 2 * MINUTE).setTtftMs(200.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 3 * MINUTE).setOutcome("TIMEOUT").setTtftMs(null)
                    .build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 4 * MINUTE).setTtftMs(300.0).build());
            ProbeStats s = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            // 3 OK of 4 -> 0.75. DDSketch quantile q of n values: rank = q (n - 1), answer = the first
            // bin whose cumulative count exceeds the rank. {100, 200, 300}: p50 rank 1 -> counts 1, 2:
            // 2 > 1 -> 200; p99 rank 1.98 -> 2 > 1.98 -> also 200 (each within 1%). p90 likewise.
            assertEquals(0.75, s.getSuccessRate(), 1e-12);
            assertEquals(3, s.getTimingCount());
            assertEquals(200.0, s.getTtftMsP50(), 2.0);
            assertEquals(200.0, s.getTtftMsP99(), 2.0);
            assertEquals(200.0, s.getTtftMsP50ByRegion().get("us-east"), 2.0);
        }
    }
}
