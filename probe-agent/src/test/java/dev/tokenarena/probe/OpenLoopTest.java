package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OpenLoopTest {

    private static final long MS = 1_000_000L;

    private final TestClocks.ManualTicker ticker = new TestClocks.ManualTicker();
    private final TestClocks.ManualTimer timer = new TestClocks.ManualTimer(ticker);
    private final OpenLoop loop = new OpenLoop(ticker, timer);

    @Test
    void shouldDrawExponentialGapsWithTheTargetMeanWhenSeeded() {
        // 10 req/s for 1,000 s: about 10,000 arrivals, gaps exponential with mean 100 ms.
        long[] t = PoissonArrivals.offsetsNanos(42, 10.0, 1_000_000 * MS);
        double[] gaps = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            gaps[i] = (t[i] - (i == 0 ? 0 : t[i - 1])) / (double) MS;
        }
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
        // Standard error of the mean is 100 / sqrt(10,000) = 1 ms: 97..103 is 3 of them.
        assertTrue(mean > 97 && mean < 103, "mean gap " + mean);
        // An exponential's sd equals its mean (a fixed-interval schedule would give sd 0).
        assertTrue(sd / mean > 0.95 && sd / mean < 1.05, "sd/mean " + sd / mean);
        assertTrue(t.length > 9_700 && t.length < 10_300, "arrivals " + t.length);
        assertArrayEquals(t, PoissonArrivals.offsetsNanos(42, 10.0, 1_000_000 * MS), "same seed, same schedule");
        assertFalse(Arrays.equals(t, PoissonArrivals.offsetsNanos(43, 10.0, 1_000_000 * MS)));
    }

    @Test
    void shouldRefuseARateThatIsNotPositive() {
        var e = assertThrows(IllegalArgumentException.class, () -> PoissonArrivals.offsetsNanos(1, 0, MS));
        assertTrue(e.getMessage().contains("got 0.0"), e.getMessage());
    }

    @Test
    void shouldSendEveryArrivalOnScheduleWhenNoRequestEverCompletes() {
        long[] offsets = PoissonArrivals.offsetsNanos(7, 5.0, 10_000 * MS);
        List<Long> sentAt = new ArrayList<>();
        List<Integer> inFlightAtSend = new ArrayList<>();
        CompletableFuture<OpenLoop.Report> done = loop.run(offsets, 10_000 * MS, 5.0, 1_000, (i, inFlight) -> {
            sentAt.add(ticker.nanos());
            inFlightAtSend.add(inFlight);
            return new CompletableFuture<>(); // a server that never answers
        });
        timer.runUntil(10_000 * MS);
        // Closed loop would have sent one and waited forever; open loop sends them all, each at its time.
        assertEquals(offsets.length, sentAt.size());
        for (int i = 0; i < offsets.length; i++) {
            assertEquals(offsets[i], sentAt.get(i), "arrival " + i);
            assertEquals(i + 1, inFlightAtSend.get(i));
        }
        assertFalse(done.isDone(), "requests still in flight");
    }

    @Test
    void shouldDropAndCountArrivalsThatFindTheCapFull() {
        // Arrivals at 0, 100, 200, 300, 400 ms; each request takes 250 ms; at most 2 in flight.
        //   0: send #0 (1 in flight)        100: send #1 (2)
        // 200: 2 in flight -> drop #2       250: #0 ends (1)
        // 300: send #3 (2)                  350: #1 ends (1)
        // 400: send #4 (2)                  550: #3 ends, 650: #4 ends -> done
        long[] offsets = {0, 100 * MS, 200 * MS, 300 * MS, 400 * MS};
        List<Integer> sent = new ArrayList<>();
        CompletableFuture<OpenLoop.Report> done = loop.run(offsets, 500 * MS, 10.0, 2, (i, inFlight) -> {
            sent.add(i);
            CompletableFuture<Void> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(null), 250 * MS);
            return f;
        });
        timer.runUntil(649 * MS);
        assertFalse(done.isDone(), "#4 ends at 650 ms");
        timer.runUntil(650 * MS);
        assertEquals(List.of(0, 1, 3, 4), sent);
        // 4 sent in the 0.5 s window = 8 req/s realized of the 10 asked
        assertEquals(new OpenLoop.Report(5, 4, 1, 2, 10.0, 8.0), done.join());
    }

    @Test
    void shouldReportTheRealizedRateOfAPoissonRunWhenRequestsComplete() {
        long[] offsets = PoissonArrivals.offsetsNanos(11, 20.0, 60_000 * MS);
        CompletableFuture<OpenLoop.Report> done = loop.run(offsets, 60_000 * MS, 20.0, 100, (i, inFlight) -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(null), 30 * MS);
            return f;
        });
        timer.runUntil(61_000 * MS);
        OpenLoop.Report r = done.join();
        assertEquals(offsets.length, r.sent());
        assertEquals(0, r.dropped());
        // realized = arrivals / 60 s; 20/s x 60 s = 1,200 expected, sd sqrt(1200) = 35 -> within 10%
        assertEquals(offsets.length / 60.0, r.realizedRps(), 1e-9);
        assertTrue(Math.abs(r.realizedRps() - 20) < 2, "realized " + r.realizedRps());
    }

    @Test
    void shouldFinishAtOnceWhenTheScheduleIsEmpty() {
        assertEquals(new OpenLoop.Report(0, 0, 0, 0, 0.1, 0.0),
                loop.run(new long[0], 1_000 * MS, 0.1, 1, (i, n) -> CompletableFuture.completedFuture(null)).join());
    }
}
