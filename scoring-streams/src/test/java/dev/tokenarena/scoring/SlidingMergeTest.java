package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A sliding merge must give what a plain merge of the same buckets in time order gives. Compared
 * on the stored form (encoded sketches, counts and sums) after every move of a long random run.
 * The probes' end-to-end latencies are whole milliseconds so that the one double sum
 * ({@code e2eMsSum}) is exact in any order; TTFT and the other sketched values are arbitrary
 * doubles (sketches keep whole counts per bin, so their order never matters).
 */
class SlidingMergeTest {

    private static final long FINE = 5 * MINUTE;
    private static final String[] REGIONS = {"us-east", "eu-west", "ap-south"};

    private final Random random = new Random(20260101L);

    /**
     * 4,000 steps over one endpoint's buckets, as the processor sees them: probes into the newest
     * bucket or a new one (sometimes a few buckets on, leaving holes), a late probe into an older
     * bucket (which invalidates), decoded buckets evicted an hour behind, a restart (a new sliding
     * merge, as after a task move), and moves of two spans: the 1 h window's buckets before the
     * newest one, and the current hour's buckets before the newest one (a start that stays put).
     */
    @Test
    void shouldEqualAPlainMergeOfTheSameBucketsOverRandomSlidesHolesAndLateProbes() {
        NavigableMap<Long, ProbeSketches> buckets = new TreeMap<>();
        SlidingMerge window = new SlidingMerge();
        SlidingMerge hour = new SlidingMerge();
        long newest = T0;
        int nonEmptyMoves = 0;
        for (int step = 0; step < 4_000; step++) {
            int action = random.nextInt(200);
            if (action < 90) {
                add(buckets, newest);
            } else if (action < 130) {
                newest += FINE * (random.nextInt(8) == 0 ? 2 + random.nextInt(3) : 1);
                add(buckets, newest);
                buckets.headMap(newest - 12 * FINE).clear(); // decoded buckets kept for one hour
            } else if (action < 134 && buckets.size() > 1) {
                long late = buckets.lowerKey(newest) - FINE * random.nextInt(2);
                add(buckets, late); // into an older bucket, or into a hole
                window.invalidate();
                hour.invalidate();
            } else if (action == 134) {
                window = new SlidingMerge();
                hour = new SlidingMerge();
            } else {
                long from = newest - 11 * FINE;
                long hourStart = Math.floorDiv(newest, 12 * FINE) * 12 * FINE;
                window.slideTo(buckets, from, newest);
                hour.slideTo(buckets, hourStart, newest);
                assertEquals(plain(buckets, from, newest).toAvro(), window.mergeInto(new ProbeSketches()).toAvro(),
                        "1 h window at step " + step);
                assertEquals(plain(buckets, hourStart, newest).toAvro(), hour.mergeInto(new ProbeSketches()).toAvro(),
                        "current hour at step " + step);
                if (!buckets.subMap(from, newest).isEmpty()) {
                    nonEmptyMoves++;
                }
            }
        }
        assertTrue(nonEmptyMoves > 1_000, "compared windows that held something: " + nonEmptyMoves);
    }

    /**
     * Worked by hand: buckets 0..12 hold 1, 2, .., 13 probes. The span [0, 11) holds 1 + .. + 11
     * = 66 probes; moving to [1, 12) drops bucket 0 (1) and adds bucket 11 (12): 77; to [2, 13)
     * drops 2 and adds 13: 88; then back to [2, 12) (a smaller end) starts over: 88 - 13 = 75.
     */
    @Test
    void shouldDropBucketsAtTheStartAndAddThemAtTheEndAsTheSpanMoves() {
        NavigableMap<Long, ProbeSketches> buckets = new TreeMap<>();
        for (int b = 0; b <= 12; b++) {
            for (int p = 0; p <= b; p++) {
                add(buckets, T0 + b * FINE);
            }
        }
        SlidingMerge merge = new SlidingMerge();
        merge.slideTo(buckets, T0, T0 + 11 * FINE);
        assertEquals(66, merge.mergeInto(new ProbeSketches()).probeCount());
        merge.slideTo(buckets, T0 + FINE, T0 + 12 * FINE);
        assertEquals(77, merge.mergeInto(new ProbeSketches()).probeCount());
        merge.slideTo(buckets, T0 + 2 * FINE, T0 + 13 * FINE);
        assertEquals(88, merge.mergeInto(new ProbeSketches()).probeCount());
        merge.slideTo(buckets, T0 + 2 * FINE, T0 + 12 * FINE);
        assertEquals(75, merge.mergeInto(new ProbeSketches()).probeCount());
    }

    private void add(NavigableMap<Long, ProbeSketches> buckets, long start) {
        buckets.computeIfAbsent(start, s -> new ProbeSketches()).add(probe(start));
    }

    private ProbeResult probe(long at) {
        int concurrency = random.nextBoolean() ? 1 : 10;
        boolean ok = random.nextInt(10) > 0;
        return Events.probe("e1", at)
                .setRegion(REGIONS[random.nextInt(REGIONS.length)])
                .setScenario("timing-in1k-c" + concurrency).setConcurrency(concurrency)
                .setKind(random.nextInt(5) == 0 ? "needle" : ProbeSketches.TIMING)
                .setOutcome(ok ? ProbeSketches.OK : "HTTP_ERROR")
                .setTtftMs(20 + random.nextDouble() * 3_000).setTtfvMs(30 + random.nextDouble() * 3_000)
                .setTpotMs(1 + random.nextDouble() * 80).setOutputTps(5 + random.nextDouble() * 200)
                .setE2eMs((double) (200 + random.nextInt(60_000))).setOutputTokens(1 + random.nextInt(500))
                .build();
    }

    private static ProbeSketches plain(NavigableMap<Long, ProbeSketches> buckets, long from, long to) {
        ProbeSketches out = new ProbeSketches();
        buckets.subMap(from, to).values().forEach(out::merge);
        return out;
    }
}
