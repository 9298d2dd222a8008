package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MeasurementsTest {

    static final long MS = 1_000_000L;

    @Test
    void shouldComputeTpotSpeedAndGapsWhenTokensArriveAtKnownTimes() {
        // Start at 0; connect 20 ms, TLS 30 ms; first token at 250 ms; five more token chunks at
        // 300, 350, 400, 500, 1250 ms; the response ends at 1300 ms; the server reports 11 tokens.
        long[] chunks = {250 * MS, 300 * MS, 350 * MS, 400 * MS, 500 * MS, 1250 * MS};
        Measurements.Timings t = Measurements.compute(0, 20 * MS, 30 * MS, 1300 * MS, 250 * MS, 300 * MS, 1250 * MS,
                chunks, 11);

        assertEquals(250.0, t.ttftMs());
        assertEquals(200.0, t.ttftNetMs());          // 250 - 20 - 30
        assertEquals(300.0, t.ttfvMs());
        assertEquals(1300.0, t.e2eMs());
        assertEquals(105.0, t.tpotMs());             // (1300 - 250) / (11 - 1) = 1050 / 10
        assertEquals(10.0, t.outputTps(), 1e-9);     // (11 - 1) / (1.250 s - 0.250 s) = 10 / 1.0
        // Gaps: 50, 50, 50, 100, 750 (sorted). p50 = rank ceil(0.5 * 5) = 3 -> 50;
        // p99 = rank ceil(0.99 * 5) = 5 -> 750; max 750.
        assertEquals(50.0, t.gapMsP50());
        assertEquals(750.0, t.gapMsP99());
        assertEquals(750.0, t.gapMsMax());
    }

    @Test
    void shouldLeaveRatesEmptyWhenOnlyOneTokenArrived() {
        // One token: (output_tokens - 1) = 0 tokens after the first, so no TPOT, no speed, no gaps.
        Measurements.Timings t = Measurements.compute(0, -1, -1, 400 * MS, 300 * MS, 300 * MS, 300 * MS,
                new long[] {300 * MS}, 1);

        assertEquals(300.0, t.ttftMs());
        assertEquals(300.0, t.ttftNetMs(), "nothing to subtract on an unmeasured connect");
        assertNull(t.tpotMs());
        assertNull(t.outputTps());
        assertNull(t.gapMsP50());
        assertNull(t.gapMsMax());
    }

    @Test
    void shouldLeaveTtftEmptyWhenNoTokenArrived() {
        Measurements.Timings t = Measurements.compute(0, 5 * MS, -1, 90 * MS, -1, -1, -1, new long[0], 0);

        assertNull(t.ttftMs());
        assertNull(t.ttftNetMs());
        assertNull(t.ttfvMs());
        assertEquals(90.0, t.e2eMs());
    }

    @Test
    void shouldFlagMismatchWhenCountsDifferByMoreThanTenPercent() {
        // 10% of the server's 100 is 10: a difference of 11 is flagged, 10 is not.
        assertTrue(Measurements.mismatch(100, 89));
        assertFalse(Measurements.mismatch(100, 90));
        assertFalse(Measurements.mismatch(100, 110));
        assertTrue(Measurements.mismatch(100, 111));
        assertFalse(Measurements.mismatch(null, 500), "no server count, nothing to compare");
    }
}
