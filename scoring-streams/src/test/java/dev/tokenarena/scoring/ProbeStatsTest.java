package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProbeStatsTest {

    private static final long HOUR = 60 * MINUTE;

    /** Carries stream time forward with a catalogue entry of an unrelated endpoint. */
    private static void tick(Fixture f, long at) {
        f.pipe(f.endpoints, "clock", Events.endpoint("clock", "clock-model", false, at));
    }

    private static ProbeWindowAgg bucket(Fixture f, String endpoint, char level, long start) {
        return f.store(ScoringTopology.PROBE_BUCKETS_STORE, ProbeBuckets.key(endpoint, level, start));
    }

    @Test
    void shouldReportTrailingHourQuantilesWhenTwoTimingProbesArrive() throws Exception {
        try (Fixture f = new Fixture()) {
            // Probes at 10:01 and 10:07 (T0 = 10:00). The trailing window of 10:07 is the 1h window
            // ending at the next 5-minute boundary after it: [09:10, 10:10).
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).setTtftMs(100.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 7 * MINUTE).setTtftMs(300.0).build());
            tick(f, T0 + 8 * MINUTE); // the emit interval (1 min of stream time) passes
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

    /**
     * Across an hour: probes at 10:50 (ttft 100), 11:02 (300), 11:04 (a 500). At 11:04 the
     * windows are 1 h [10:05, 11:05) with all three; 24 h [yesterday 12:00, 12:00) = the hour
     * bucket of 10:00 (written when 11:02 arrived) + the 11:00 bucket; 7 d [2025-12-27, 2026-01-02).
     * Median of {100, 300, 500}: rank 0.5 x 2 = 1 -> the second value, 300 (+/-1%).
     */
    @Test
    void shouldMergeHourAndFiveMinuteBucketsWhenWindowsSpanAnHour() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 50 * MINUTE).setTtftMs(100.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 62 * MINUTE).setTtftMs(300.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 64 * MINUTE).setTtftMs(500.0).build());
            // 24 h / 7 d figures refresh at most every 5 min of stream time: last at 11:02, next due 11:07
            tick(f, T0 + 68 * MINUTE);
            ProbeStats hour = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(T0 + 5 * MINUTE, hour.getWindowStartMs());
            assertEquals(T0 + 65 * MINUTE, hour.getWindowEndMs());
            assertEquals(3, hour.getProbeCount());
            assertEquals(300.0, hour.getTtftMsP50(), 3.0);
            ProbeStats day = f.store(ScoringTopology.probeStatsStore("24h"), "e1");
            assertEquals(T0 + 2 * HOUR - 24 * HOUR, day.getWindowStartMs());
            assertEquals(T0 + 2 * HOUR, day.getWindowEndMs());
            assertEquals(3, day.getProbeCount());
            assertEquals(300.0, day.getTtftMsP50(), 3.0);
            ProbeStats week = f.store(ScoringTopology.probeStatsStore("7d"), "e1");
            assertEquals(Instant.parse("2025-12-26T00:00:00Z").toEpochMilli(), week.getWindowStartMs());
            assertEquals(Instant.parse("2026-01-02T00:00:00Z").toEpochMilli(), week.getWindowEndMs());
            assertEquals(3, week.getProbeCount());
            // the 10:00 hour bucket holds only the 10:50 probe; the 11:00 hour is still open
            assertEquals(1, bucket(f, "e1", ProbeBuckets.COARSE, T0).getProbeCount());
            assertNull(bucket(f, "e1", ProbeBuckets.COARSE, T0 + HOUR));
        }
    }

    /**
     * Grace 5 min. At stream time 11:03 a probe of 10:58 (bucket [10:55, 11:00), ended 3 min ago)
     * is accepted and also lands in the already written 10:00 hour bucket; a probe of 10:52
     * (bucket ended at 10:55, 8 min ago) is dropped.
     */
    @Test
    void shouldTakeLateProbeWithinGraceAndDropOlderOne() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 50 * MINUTE).setTtftMs(100.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 63 * MINUTE).setTtftMs(300.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 58 * MINUTE).setTtftMs(200.0).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 52 * MINUTE).setTtftMs(900.0).build());
            tick(f, T0 + 68 * MINUTE); // past 11:08, when the 24 h figures are due again (see above)
            assertEquals(2, bucket(f, "e1", ProbeBuckets.COARSE, T0).getProbeCount());
            ProbeStats hour = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(3, hour.getProbeCount());
            // {100, 200, 300}: p50 rank 0.5 x 2 = 1 -> the first bin with cumulative count > 1 holds 200;
            // p99 rank 1.98 -> cumulative 2 > 1.98 -> 200 as well; the count of 3 shows the 900 was dropped
            assertEquals(200.0, hour.getTtftMsP50(), 2.0);
            assertEquals(200.0, hour.getTtftMsP99(), 2.0);
            ProbeStats day = f.store(ScoringTopology.probeStatsStore("24h"), "e1");
            assertEquals(3, day.getProbeCount());
        }
    }

    /**
     * Fine buckets are kept two hours plus grace behind the current hour, hour buckets 7 days:
     * after probes at 10:00 and then 13:10, the 10:00 five-minute bucket is gone (13:00 - 2 h 5 min
     * = 10:55 > 10:00) while its hour bucket stays for the history and the 24 h window.
     */
    @Test
    void shouldDropOldFiveMinuteBucketsButKeepHourBucketsWhenHoursClose() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0).setTtftMs(100.0).build());
            assertNotNull(bucket(f, "e1", ProbeBuckets.FINE, T0));
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 190 * MINUTE).setTtftMs(300.0).build());
            tick(f, T0 + 192 * MINUTE);
            assertNull(bucket(f, "e1", ProbeBuckets.FINE, T0));
            assertEquals(1, bucket(f, "e1", ProbeBuckets.COARSE, T0).getProbeCount());
            // 1 h window of 13:10 = [12:15, 13:15): only the new probe; 24 h: both
            assertEquals(1, f.<ProbeStats>store(ScoringTopology.PROBE_STATS_STORE, "e1").getProbeCount());
            assertEquals(2, f.<ProbeStats>store(ScoringTopology.probeStatsStore("24h"), "e1").getProbeCount());
        }
    }

    /**
     * Breakdowns. Probes at 10:01-10:04: us-east timing-in1k-c1 OK (ttft 100, 50 tok/s, 200
     * output tokens, e2e 4,000 ms), us-east timing-in1k-c10 OK (ttft 300, 20 tok/s, 100 tokens,
     * e2e 5,000 ms) twice, eu-west timing-in1k-c1 failed (HTTP_ERROR).
     * by_region_scenario, ordered by region then scenario: eu-west/c1 1 probe, 0 OK, rate 0;
     * us-east/c1 1 OK; us-east/c10 2 OK. by_concurrency (OK closed-loop timing only): c1 = 1 probe,
     * 200 tokens, 4,000 ms; c10 = 2 probes, 200 tokens, 10,000 ms -> aggregate throughput
     * 10 x 200 / 10 s = 200 tok/s.
     */
    @Test
    void shouldBreakDownByRegionScenarioAndConcurrencyWhenScenariosDiffer() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).setTtftMs(100.0).setOutputTps(50.0)
                    .setOutputTokens(200).setE2eMs(4000.0).build());
            for (int i = 0; i < 2; i++) {
                f.pipe(f.probes, "e1", Events.probe("e1", T0 + (2 + i) * MINUTE).setScenario("timing-in1k-c10")
                        .setConcurrency(10).setTtftMs(300.0).setOutputTps(20.0).setOutputTokens(100)
                        .setE2eMs(5000.0).build());
            }
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 4 * MINUTE).setRegion("eu-west").setOutcome("HTTP_ERROR")
                    .setTtftMs(null).setOutputTps(null).build());
            tick(f, T0 + 6 * MINUTE);
            ProbeStats s = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(3, s.getByRegionScenario().size());
            var eu = s.getByRegionScenario().get(0);
            assertEquals("eu-west", eu.getRegion());
            assertEquals(1, eu.getProbeCount());
            assertEquals(0.0, eu.getSuccessRate(), 1e-12);
            assertNull(eu.getTtftMsP50());
            var c1 = s.getByRegionScenario().get(1);
            assertEquals("timing-in1k-c1", c1.getScenario());
            assertEquals(100.0, c1.getTtftMsP50(), 1.0);
            var c10 = s.getByRegionScenario().get(2);
            assertEquals("timing-in1k-c10", c10.getScenario());
            assertEquals(2, c10.getOkCount());
            assertEquals(300.0, c10.getTtftMsP50(), 3.0);
            assertEquals(20.0, c10.getOutputTpsP50(), 0.2);
            assertEquals(2, s.getByConcurrency().size());
            var level1 = s.getByConcurrency().get(0);
            assertEquals(1, level1.getConcurrency());
            assertEquals(1, level1.getOkCount());
            assertEquals(200, level1.getOutputTokensSum());
            var level10 = s.getByConcurrency().get(1);
            assertEquals(10, level10.getConcurrency());
            assertEquals(2, level10.getOkCount());
            assertEquals(200, level10.getOutputTokensSum());
            assertEquals(10_000.0, level10.getE2eMsSum(), 1e-9);
            assertEquals(300.0, level10.getTtftMsP90(), 3.0);
        }
    }
}
