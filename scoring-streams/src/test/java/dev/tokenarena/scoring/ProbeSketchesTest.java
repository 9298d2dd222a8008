package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.scoring.avro.ProbeStats;
import org.junit.jupiter.api.Test;

/** A window's running figures: buckets added and taken out must leave the figures of what stays. */
class ProbeSketchesTest {

    /**
     * Bucket A: two closed-loop timing probes in us-east (TTFT 100 and 300 ms, e2e 1,000.25 ms
     * each). Bucket B: one in eu-west (TTFT 500, e2e 999.5) and a failed needle probe in us-east.
     * A + B - A must report B alone: 2 probes, 1 OK, success 0.5; TTFT p50 500 (one value, within
     * 1 %); only eu-west per region; the us-east timing cell gone (no probes left), the us-east
     * needle cell kept (1 probe, 0 OK); concurrency 1 with one OK probe and e2e sum exactly 999.5.
     * Then - B leaves nothing: no quantiles, no cells, no levels; a third subtraction is refused.
     */
    @Test
    void shouldReportOnlyWhatStaysWhenABucketIsTakenOut() {
        ProbeSketches a = new ProbeSketches();
        a.add(Events.probe("e1", 1L).setTtftMs(100.0).setE2eMs(1000.25).build());
        a.add(Events.probe("e1", 2L).setTtftMs(300.0).setE2eMs(1000.25).build());
        ProbeSketches b = new ProbeSketches();
        b.add(Events.probe("e1", 3L).setRegion("eu-west").setTtftMs(500.0).setE2eMs(999.5).build());
        b.add(Events.probe("e1", 4L).setKind("needle").setScenario("needle-32768").setOutcome("HTTP_ERROR").build());

        ProbeSketches window = new ProbeSketches().merge(a).merge(b);
        assertEquals(4, window.probeCount());
        window.subtract(a);
        ProbeStats s = window.stats(0, 10);
        assertEquals(2, s.getProbeCount());
        assertEquals(1, s.getOkCount());
        assertEquals(0.5, s.getSuccessRate(), 1e-12);
        assertEquals(500.0, s.getTtftMsP50(), 5.0);
        assertEquals(java.util.Set.of("eu-west"), s.getTtftMsP50ByRegion().keySet());
        assertEquals(2, s.getByRegionScenario().size(), "eu-west timing and us-east needle: " + s.getByRegionScenario());
        assertEquals("eu-west", s.getByRegionScenario().get(0).getRegion());
        assertEquals("us-east", s.getByRegionScenario().get(1).getRegion());
        assertEquals("needle-32768", s.getByRegionScenario().get(1).getScenario());
        assertEquals(0, s.getByRegionScenario().get(1).getOkCount());
        assertEquals(1, s.getByConcurrency().size());
        assertEquals(1, s.getByConcurrency().get(0).getOkCount());
        assertEquals(999.5, s.getByConcurrency().get(0).getE2eMsSum(), 0.0);
        assertEquals(b.stats(0, 10), s, "the same figures as bucket B alone");

        window.subtract(b);
        ProbeStats empty = window.stats(0, 10);
        assertEquals(0, empty.getProbeCount());
        assertNull(empty.getTtftMsP50());
        assertTrue(empty.getByRegionScenario().isEmpty());
        assertTrue(empty.getByConcurrency().isEmpty());
        assertTrue(empty.getTtftMsP50ByRegion().isEmpty());
        assertThrows(IllegalStateException.class, () -> window.subtract(a), "taking out what it does not hold");
    }
}
