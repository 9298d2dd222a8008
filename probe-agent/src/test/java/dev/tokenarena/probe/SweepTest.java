package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The sweep's steps and saturation rule on a simulated server in simulated time. */
class SweepTest {

    private static final long MS = 1_000_000L;

    private final TestClocks.ManualTicker ticker = new TestClocks.ManualTicker();
    private final TestClocks.ManualTimer timer = new TestClocks.ManualTimer(ticker);

    /**
     * A server with {@code slots} decode slots and a FIFO queue: a request waits for a slot, then
     * streams 101 tokens, the first 100 ms after it got the slot and one every 10 ms after that,
     * so 1,100 ms of service. TTFT = queueing + 100 ms, TPOT = 10 ms, decode speed 100 tok/s.
     */
    private final class QueueServer implements SweepLoad {
        private final int slots;
        private final Deque<Runnable> queue = new ArrayDeque<>();
        private int busy;
        private int peakInFlight;

        QueueServer(int slots) {
            this.slots = slots;
        }

        @Override
        public CompletableFuture<SweepSample> send(int inFlight) {
            peakInFlight = Math.max(peakInFlight, inFlight);
            CompletableFuture<SweepSample> f = new CompletableFuture<>();
            long arrived = ticker.nanos();
            Runnable serve = () -> {
                busy++;
                long waited = ticker.nanos() - arrived;
                timer.schedule(() -> {
                    busy--;
                    // The queue goes first, so a user's next request cannot jump it.
                    if (!queue.isEmpty()) {
                        queue.poll().run();
                    }
                    f.complete(new SweepSample(true, waited / (double) MS + 100, 10.0, 100.0, 101));
                }, 1_100 * MS);
            };
            if (busy < slots) {
                serve.run();
            } else {
                queue.add(serve);
            }
            return f;
        }
    }

    private static SweepSettings settings(List<Double> loads, Double sloTtftMs) {
        return new SweepSettings(SweepSettings.Mode.CONCURRENCY, loads, 11_000 * MS, 0.10, 0.05, 2.0, 1, sloTtftMs, 20.0,
                1000, 1);
    }

    private Sweep.Report run(SweepSettings s, SweepLoad load) {
        CompletableFuture<Sweep.Report> done = new Sweep(s, load, ticker, timer, i -> { }).run();
        timer.runUntil(1_000_000 * MS);
        assertTrue(done.isDone(), "sweep did not finish");
        return done.join();
    }

    @Test
    void shouldStopAtTheFirstStepWhoseThroughputDoesNotGrowWhenTheServerHasFourSlots() {
        Sweep.Report r = run(settings(List.of(1.0, 2.0, 4.0, 8.0, 16.0), 500.0), new QueueServer(4));
        // c users, each 1.1 s per request, 11 s step: c <= 4 each user completes exactly 10 requests
        // (sends at 0, 1.1, ..., 9.9 s), the last ending at 11.0 s:
        //   throughput = c x 10 x 101 tokens / 11.0 s = c x 91.818 tok/s
        // c = 8: 8 sent at 0, then 4 every 1.1 s while < 11 s (at 1.1 .. 9.9: 9 times) = 44 requests;
        //   4 slots serve them in 44 / 4 x 1.1 = 12.1 s: 44 x 101 / 12.1 = 367.27 tok/s, the same as
        //   c = 4, gain 0% < 10%: saturated; 16 never runs.
        assertEquals(4, r.steps().size());
        double[] expected = {91.818, 183.636, 367.273, 367.273};
        int[] requests = {10, 20, 40, 44};
        double[] seconds = {11.0, 11.0, 11.0, 12.1};
        for (int i = 0; i < 4; i++) {
            SweepStep st = r.steps().get(i);
            assertEquals(expected[i], st.throughputTps(), 0.001, "step " + i);
            assertEquals(requests[i], st.requests(), "step " + i);
            assertEquals(seconds[i], st.seconds(), 1e-9, "step " + i);
            assertEquals(100.0, st.interactivityTps());
            assertEquals(10.0, st.tpotP50Ms());
            assertEquals(0.0, st.errorRate());
        }
        assertNull(r.steps().get(0).gain());
        assertEquals(1.0, r.steps().get(1).gain(), 1e-9);
        assertEquals(0.0, r.steps().get(3).gain(), 1e-9);
        assertEquals("saturated: throughput grew 0.0% (less than min-gain 10.0%) at step 3", r.stopReason());
        // c = 8: the first 4 got a slot at once (TTFT 100 ms), the other 40 waited one service
        // time each (1,100 + 100 ms). p50 is rank ceil(0.5 x 44) = 22 of [100 x4, 1200 x40] = 1200.
        assertEquals(1200.0, r.steps().get(3).ttftP50Ms(), 1e-9);
        assertEquals(1200.0, r.steps().get(3).ttftP99Ms(), 1e-9);
        assertEquals(100.0, r.steps().get(2).ttftP99Ms(), 1e-9);
        // $2/GPU-hour, 1 GPU: 2 / 3600 / 367.273 x 1e6 = $1.51265 per 1M output tokens at c = 4;
        // at c = 1: 2 / 3600 / 91.818 x 1e6 = $6.0506.
        assertEquals(1.51265, r.steps().get(2).usdPerMtok(), 1e-5);
        assertEquals(6.0506, r.steps().get(0).usdPerMtok(), 1e-4);
        // SLO TTFT p99 <= 500 ms, TPOT p99 <= 20 ms: c = 1, 2, 4 meet it, c = 8 (1,200 ms) does not;
        // the cheapest of those is c = 4 (index 2), the same $/token as c = 8 but within the SLO.
        assertEquals(List.of(true, true, true, false), r.steps().stream().map(SweepStep::meetsSlo).toList());
        assertEquals(2, r.bestStep());
    }

    @Test
    void shouldStopWhenTheErrorRatePassesTheMaximum() {
        // Requests fail once 3 or more users are in flight: step c = 4 is all errors (rate 1.0 > 0.05).
        SweepLoad failingAbove2 = inFlight -> {
            CompletableFuture<SweepSample> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(inFlight >= 3 ? new SweepSample(false, null, null, null, 0)
                    : new SweepSample(true, 100.0, 10.0, 100.0, 101)), 1_100 * MS);
            return f;
        };
        Sweep.Report r = run(settings(List.of(1.0, 2.0, 4.0, 8.0), null), failingAbove2);
        assertEquals(3, r.steps().size());
        assertEquals(1.0, r.steps().get(2).errorRate());
        assertEquals("saturated: error rate 1.000 above max-error-rate 0.050 at step 2", r.stopReason());
        assertFalse(r.steps().get(2).meetsSlo());
        assertEquals(1, r.bestStep(), "c = 2 is the best that works");
    }

    @Test
    void shouldCountDroppedArrivalsAsErrorsWhenAnOpenLoopStepHitsTheInFlightCap() {
        // One slot and a cap of 2 in flight: at 2 req/s of 1.1 s requests the queue fills and
        // arrivals are dropped; dropped count as errors, so the step is saturated.
        SweepSettings s = new SweepSettings(SweepSettings.Mode.RATE, List.of(0.5, 2.0, 4.0), 100_000 * MS, 0.10, 0.05,
                null, 1, null, null, 2, 9);
        Sweep.Report r = run(s, new QueueServer(1));
        SweepStep last = r.steps().get(r.steps().size() - 1);
        assertTrue(last.dropped() > 0, "dropped " + last.dropped());
        assertEquals((last.failed() + last.dropped()) / (double) (last.requests() + last.dropped()), last.errorRate(), 1e-12);
        assertTrue(r.stopReason().startsWith("saturated"), r.stopReason());
        assertNull(last.usdPerMtok(), "no GPU price given");
        // 0.5 req/s for 100 s: about 50 arrivals, each served in 1.1 s by the one slot
        SweepStep first = r.steps().get(0);
        assertTrue(first.requests() > 35 && first.requests() < 65, "requests " + first.requests());
        assertEquals(first.requests() / 100.0, first.realizedRps(), 1e-12, "sent per second of the 100 s window");
    }

    @Test
    void shouldWriteTheStepsAsJsonAndCsvWithTheCheapestStepMarked() throws Exception {
        Sweep.Report r = run(settings(List.of(1.0, 2.0, 4.0, 8.0), 500.0), new QueueServer(4));
        JsonNode json = StreamParser.JSON.readTree(SweepOutput.json(r, "http://x/v1", "m", 1000, 101));
        assertEquals(2, json.get("cheapest_step_meeting_slo").asInt());
        assertEquals(4, json.get("steps").size());
        assertEquals(367.2727, json.get("steps").get(2).get("throughput_tps").asDouble(), 1e-9);
        assertTrue(json.get("steps").get(2).get("cheapest_meeting_slo").asBoolean());
        assertEquals("concurrency", json.get("mode").asText());
        String[] csv = SweepOutput.csv(r).split("\n");
        assertEquals(5, csv.length, "header and four steps");
        assertEquals(String.join(",", SweepOutput.COLUMNS), csv[0]);
        // 40 requests in the 11 s step: 3.6364 req/s
        assertTrue(csv[3].startsWith("2,4,40,0,0,3.6364,11,4040,367.2727,100,100,100,10,10,0,1.5127,1,true,true"), csv[3]);
    }

    @Test
    void shouldNameTheOptionWhenSettingsAreBad() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SweepSettings(SweepSettings.Mode.CONCURRENCY,
                List.of(4.0, 2.0), MS, 0.1, 0.05, null, 1, null, null, 1, 1));
        assertEquals("--concurrency [4.0, 2.0]: steps must be finite, above 0 and ascending", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SweepSettings(SweepSettings.Mode.RATE,
                List.of(1.0), MS, 0.1, 1.5, null, 1, null, null, 1, 1));
        assertEquals("--max-error-rate must be a fraction in [0, 1], got 1.5", e.getMessage());
        picocli.CommandLine cl = new picocli.CommandLine(new SweepOptions.Main());
        cl.parseArgs("--url", "http://x/v1", "--model", "m", "--concurrency", "1,2", "--rates", "1");
        SweepOptions parsed = ((SweepOptions.Main) cl.getCommand()).options;
        e = assertThrows(IllegalArgumentException.class, parsed::settings);
        assertEquals("--concurrency and --rates: give one or the other", e.getMessage());
        cl.parseArgs("--url", "http://x/v1", "--model", "m", "--max-concurrency", "20");
        // default steps: powers of two up to 20
        assertEquals(List.of(1.0, 2.0, 4.0, 8.0, 16.0), ((SweepOptions.Main) cl.getCommand()).options.settings().loads());
    }
}
