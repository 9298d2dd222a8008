package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

class CompositeAndLeaderboardTest {

    /**
     * Cohort m: e1 (50 tok/s, TTFT 100 ms, 0.60/0.80 USD, 3 of 4 correct) and e2 (25 tok/s, TTFT
     * 200 ms, 1.20/1.60 USD, 1 of 2 correct); both 100% successful.
     */
    private static void feedCohort(Fixture f) {
        f.pipe(f.grid, "ZONE-A", Events.grid("ZONE-A", 400.0, T0));
        f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", true, T0));
        f.pipe(f.endpoints, "e2", Events.endpoint("e2", "m", false, T0));
        f.pipe(f.prices, "e1", Events.price("e1", 0.60, 0.80, T0));
        f.pipe(f.prices, "e2", Events.price("e2", 1.20, 1.60, T0));
        f.pipe(f.hardware, "e1", Events.energy("e1", List.of("utilization"), T0));
        f.pipe(f.hardware, "e2", Events.energy("e2", List.of(), T0));
        int[] tokens = {100, 200, 300, 400};
        for (int i = 0; i < 4; i++) {
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + i * 1000, "OK", i != 2, tokens[i], 0.001));
        }
        f.pipe(f.evals, "e2", Events.eval("e2", T0, "OK", true, 250, 0.002));
        f.pipe(f.evals, "e2", Events.eval("e2", T0 + 1000, "OK", false, 250, 0.002));
        for (int i = 1; i <= 2; i++) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + i * MINUTE).setTtftMs(100.0).setOutputTps(50.0).build());
            f.pipe(f.probes, "e2", Events.probe("e2", T0 + i * MINUTE).setTtftMs(200.0).setOutputTps(25.0).build());
        }
    }

    /** Moves the stream time of the cohort task: a catalogue entry of another model. */
    private static void tick(Fixture f, String id, long at) {
        f.pipe(f.endpoints, id, Events.endpoint(id, "clock-model", false, at));
    }

    private static Map<String, EndpointComposite> latest(List<KeyValue<String, EndpointComposite>> all, String preset) {
        return latest(all, preset, "1h");
    }

    private static Map<String, EndpointComposite> latest(List<KeyValue<String, EndpointComposite>> all, String preset,
                                                         String window) {
        Map<String, EndpointComposite> out = new HashMap<>();
        all.stream().filter(kv -> kv.value.getPreset().equals(preset) && kv.value.getWindow().equals(window))
                .forEach(kv -> out.put(kv.key, kv.value));
        return out;
    }

    /**
     * The same cohort also scores over the 24 h (hopping 1 h) and 7 d (hopping 1 day) probe
     * windows. Trailing window of the 10:02 probe: 24 h -> [yesterday 11:00, today 11:00);
     * 7 d windows align to UTC midnight -> [2025-12-26, 2026-01-02). Both hold the same 2 probes
     * per endpoint, so the scores equal the 1 h ones (100 and 10 for chat).
     */
    @Test
    void shouldScoreEachProbeWindowLabelWhenExtraWindowsAreConfigured() throws Exception {
        try (Fixture f = new Fixture()) {
            feedCohort(f);
            tick(f, "clock-1", T0 + 5 * MINUTE);
            // 24 h / 7 d probe figures refresh at most every 5 min of stream time per endpoint (e2's
            // last at 10:01 -> due 10:06), and the cohort scores them at its next punctuation
            tick(f, "clock-1b", T0 + 6 * MINUTE);
            tick(f, "clock-1c", T0 + 7 * MINUTE);
            List<KeyValue<String, EndpointComposite>> all = f.composites.readKeyValuesToList();
            EndpointComposite day = latest(all, "chat", "24h").get("e1");
            assertEquals(T0 + 60 * MINUTE, day.getWindowEndMs());
            assertEquals(T0 - 23 * 60 * MINUTE, day.getWindowStartMs());
            assertEquals(2L, day.getProbeCount());
            assertEquals(100.0, day.getScore(), 1e-9);
            assertEquals(10.0, latest(all, "chat", "24h").get("e2").getScore(), 1e-9);
            EndpointComposite week = latest(all, "chat", "7d").get("e1");
            assertEquals(java.time.Instant.parse("2026-01-02T00:00:00Z").toEpochMilli(), week.getWindowEndMs());
            assertEquals(java.time.Instant.parse("2025-12-26T00:00:00Z").toEpochMilli(), week.getWindowStartMs());
            assertEquals(2L, week.getProbeCount());
            // j per token uses the window's own speed: 50 tok/s x 32 streams as for 1 h
            assertEquals(1600.0, week.getAggregateOutputTps(), 1600 * 0.011);
            // one board per preset and window, keyed chat (1 h), chat@24h, chat@7d; each ranks its own
            // window's composites only: e1 first with 100 and e2 with 10 in every window, as above
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 6 * MINUTE).build());
            tick(f, "clock-2", T0 + 8 * MINUTE);
            tick(f, "clock-3", T0 + 9 * MINUTE);
            Map<String, LeaderboardSnapshot> boards = new HashMap<>();
            f.leaderboard.readKeyValuesToList().forEach(kv -> boards.put(kv.key, kv.value));
            for (String[] board : new String[][] {{"chat", "1h"}, {"chat@24h", "24h"}, {"chat@7d", "7d"}}) {
                LeaderboardSnapshot sn = boards.get(board[0]);
                assertNotNull(sn, board[0] + " in " + boards.keySet());
                assertEquals("chat", sn.getPreset());
                assertEquals(board[1], sn.getWindow());
                assertTrue(sn.getRows().stream().allMatch(r -> r.getComposite().getWindow().equals(board[1])));
                assertEquals("e1", sn.getRows().get(0).getComposite().getEndpointId());
                assertEquals(2, sn.getRows().size());
            }
        }
    }

    /**
     * A cohort is re-scored over the windows that changed: a probe at 10:08:30 changes the 1 h
     * stats at the next emission, while no 24 h / 7 d stats are due before 10:11, so only 1 h
     * composites follow; a price change touches every window.
     */
    @Test
    void shouldRescoreOnlyChangedWindowsWhenOnlyHourStatsMove() throws Exception {
        try (Fixture f = new Fixture()) {
            feedCohort(f);
            // 24 h / 7 d stats: e1's refreshed at the 10:06 punctuation (due 10:11), e2's at 10:07
            // (due 10:12); the cohort scores each at its next punctuation, the last at 10:08
            for (int m = 5; m <= 8; m++) {
                tick(f, "clock-" + m, T0 + m * MINUTE);
            }
            f.composites.readKeyValuesToList(); // drain
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 8 * MINUTE + 30_000).setTtftMs(100.0).setOutputTps(50.0)
                    .build());
            tick(f, "clock-9", T0 + 9 * MINUTE);
            tick(f, "clock-10", T0 + 10 * MINUTE);
            java.util.Set<String> windows = new java.util.TreeSet<>();
            f.composites.readKeyValuesToList().forEach(kv -> windows.add(kv.value.getWindow()));
            assertEquals(java.util.Set.of("1h"), windows);
            f.pipe(f.prices, "e1", Events.price("e1", 0.50, 0.80, T0 + 10 * MINUTE + 30_000));
            tick(f, "clock-11", T0 + 11 * MINUTE);
            windows.clear();
            f.composites.readKeyValuesToList().forEach(kv -> windows.add(kv.value.getWindow()));
            assertEquals(java.util.Set.of("1h", "24h", "7d"), windows);
        }
    }

    @Test
    void shouldScoreCohortWhenEmitIntervalOfStreamTimePasses() throws Exception {
        try (Fixture f = new Fixture()) {
            feedCohort(f);
            tick(f, "clock-1", T0 + 5 * MINUTE);
            Map<String, EndpointComposite> chat = latest(f.composites.readKeyValuesToList(), "chat");
            EndpointComposite e1 = chat.get("e1");
            EndpointComposite e2 = chat.get("e2");
            assertNotNull(e1);
            assertNotNull(e2);
            // e1 is best on speed, TTFT, price and quality; equal success rates -> reliability 1 each.
            // chat: e1 = 100 x (0.25 + 0.20 + 0.25 + 0.20 + 0.10) = 100; e2 = 100 x 0.10 = 10
            assertEquals(100.0, e1.getScore(), 1e-9);
            assertEquals(10.0, e2.getScore(), 1e-9);
            assertEquals(1.0, e2.getFactors().getReliability(), 1e-12);
            assertEquals(0.0, e2.getFactors().getPrice(), 1e-12);
            // blended chat price: (3 x 0.60 + 0.80) / 4 = 0.65; e2: (3 x 1.20 + 1.60) / 4 = 1.30
            assertEquals(0.65, e1.getBlendedUsdPerMtok(), 1e-12);
            assertEquals(1.30, e2.getBlendedUsdPerMtok(), 1e-12);
            // A = 0.75, T_e = 250 -> CCA = 0.65e-6 x 250 / 0.75 = 2.1667e-4 USD
            assertEquals(0.75, e1.getAccuracy(), 1e-12);
            assertEquals(0.65e-6 * 250 / 0.75, e1.getUsdPerCorrect(), 1e-12);
            // measured: 4 x 0.001 / 3 correct = 0.0013333
            assertEquals(0.004 / 3, e1.getUsdPerCorrectMeasured(), 1e-12);
            // j = 700 x 4 x 0.6 x 1.2 / (50 x 32) = 1.26 J/token (speed p50 from the sketch: +/-1%)
            assertEquals(1.26, e1.getJPerToken(), 1.26 * 0.011);
            // assumed utilization -> low uses 0.4, high 1.0: 1.26 x 0.4/0.6 = 0.84, 1.26 x 1/0.6 = 2.1
            assertEquals(0.84, e1.getJPerTokenLow(), 0.84 * 0.011);
            assertEquals(2.10, e1.getJPerTokenHigh(), 2.10 * 0.011);
            // JCA = 1.26 x 250 / 0.75 = 420 J; kWh/Mtok = 1.26e6 / 3.6e6 = 0.35; gCO2 = 0.35 x 400 = 140
            assertEquals(420.0, e1.getJPerCorrect(), 420 * 0.011);
            assertEquals(0.35, e1.getKwhPerMtok(), 0.35 * 0.011);
            assertEquals(140.0, e1.getGco2PerMtok(), 140 * 0.011);
            // window: trailing hour of the 10:02 probe = [09:05, 10:05)
            assertEquals(T0 + 5 * MINUTE, e1.getWindowEndMs());
            assertEquals(T0 - 55 * MINUTE, e1.getWindowStartMs());
            assertEquals(f.params.configHash(), e1.getConfigHash());
            // rag weights price 0.35: e2 still 100 x 0.10 = 10; reasoning: e2 = 10 too
            assertEquals(10.0, latest(f.composites.readKeyValuesToList(), "rag").getOrDefault("e2", e2).getScore(),
                    1e-9);
        }
    }

    @Test
    void shouldRankByScoreWhenLeaderboardEmits() throws Exception {
        try (Fixture f = new Fixture()) {
            feedCohort(f);
            tick(f, "clock-1", T0 + 5 * MINUTE);
            // a further probe of the same figures changes the summary and so the cohort again,
            // and the next ticks carry stream time past two more emit intervals
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 6 * MINUTE).setTtftMs(100.0).setOutputTps(50.0).build());
            tick(f, "clock-2", T0 + 8 * MINUTE);
            f.pipe(f.probes, "e2", Events.probe("e2", T0 + 9 * MINUTE).setTtftMs(200.0).setOutputTps(25.0).build());
            tick(f, "clock-3", T0 + 11 * MINUTE);
            List<LeaderboardSnapshot> chat = f.leaderboard.readKeyValuesToList().stream()
                    .filter(kv -> kv.key.equals("chat")).map(kv -> kv.value).toList();
            assertFalse(chat.isEmpty());
            LeaderboardSnapshot last = chat.get(chat.size() - 1);
            assertEquals(2, last.getRows().size(), last.toString());
            assertEquals(1, last.getRows().get(0).getRank());
            assertEquals("e1", last.getRows().get(0).getComposite().getEndpointId());
            assertEquals(2, last.getRows().get(1).getRank());
            assertEquals("e2", last.getRows().get(1).getComposite().getEndpointId());
            assertEquals(f.params.configHash(), last.getConfigHash());
        }
    }

    @Test
    void shouldBreakTiesByEndpointIdAndDropStaleRowsWhenSnapshotIsBuilt() {
        ScoringParams p = ScoringParams.defaults();
        long end = T0 + 120 * MINUTE;
        EndpointComposite a = composite("b-ep", 50.0, end);
        EndpointComposite b = composite("a-ep", 50.0, end);
        EndpointComposite c = composite("c-ep", 90.0, end - 10 * MINUTE);
        // stale: its window ended a full hour (probe window size) before the newest one
        EndpointComposite stale = composite("d-ep", 99.0, end - 60 * MINUTE);
        LeaderboardSnapshot s = LeaderboardBuilder.snapshot("chat", List.of(a, b, c, stale), end, p);
        // 90 first; the two 50s by endpoint_id: a-ep before b-ep; d-ep left out
        assertEquals(List.of("c-ep", "a-ep", "b-ep"),
                s.getRows().stream().map(r -> r.getComposite().getEndpointId()).toList());
        assertEquals(List.of(1, 2, 3), s.getRows().stream().map(r -> r.getRank()).toList());
    }

    private static EndpointComposite composite(String id, double score, long windowEnd) {
        return EndpointComposite.newBuilder().setEndpointId(id).setPreset("chat").setWindow("1h")
                .setWindowStartMs(windowEnd - 60 * MINUTE).setWindowEndMs(windowEnd).setComputedAtMs(windowEnd)
                .setConfigHash("h").setProvider("p").setModel("m").setSku("s").setPrecision("bf16").setRegion("r")
                .setScore(score).setFactors(new dev.tokenarena.schemas.v1.FactorScores(1.0, 1.0, 1.0, 1.0, 1.0))
                .setProbeCount(1).setSuccessRate(1.0).build();
    }
}
