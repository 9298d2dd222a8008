package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.scoring.avro.ProbeStats;
import org.junit.jupiter.api.Test;

class ProbeStatsTest {

    @Test
    void shouldReportTrailingHourQuantilesWhenTwoTimingProbesArrive() throws Exception {
        try (Fixture f = new Fixture()) {
            // Probes at 10:01 and 10:07 (T0 = 10:00). The trailing window of 10:07 is the 1h window
            // ending at the next 5-minute boundary after it: [09:10, 10:10).
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).setTtftMs(100.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 7 * MINUTE).setTtftMs(300.0).build());
            ProbeStats s = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(T0 - 50 * MINUTE, s.getWindowStartMs());
            assertEquals(T0 + 10 * MINUTE, s.getWindowEndMs());
            assertEquals(2, s.getProbeCount());
            // DDSketch p50 of {100, 300}: rank = 0.5 x (2 - 1) = 0.5, the first bin whose cumulative
            // count (1) exceeds 0.5 holds 100, so p50 = 100 within the 1% relative accuracy.
            assertEquals(100.0, s.getTtftMsP50(), 1.0);
            // p99: rank = 0.99 x 1 = 0.99, and the first bin's count 1 > 0.99, so DDSketch answers 100
            // too: with two values every quantile below 1 is the lower one.
            assertEquals(100.0, s.getTtftMsP99(), 1.0);
            assertEquals(1.0, s.getSuccessRate(), 1e-12);
        }
    }
}
