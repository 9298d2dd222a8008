package dev.tokenarena.scoring;

import java.util.NavigableMap;

/**
 * The merge of the buckets with start in a span [from, to) that only moves forward, kept so that
 * a move by one bucket costs a few merges instead of one per bucket of the span.
 *
 * <p>Why: the 1 h probe window is 12 five-minute buckets; re-merging all of them each time the
 * window hopped was a tenth of the stream thread. Two parts here ("two stacks"): the back, a
 * running merge of the buckets added at the new end; and the front, built from the back's buckets
 * when the start moves into them, as suffix merges (suffix[i] = front buckets i..n-1), so dropping
 * buckets at the start only moves to a later suffix. The span's merge is then suffix + back. A
 * front is built about once per span length of moves, one merge per bucket, and a span whose start
 * stays put (the current hour's buckets) never builds one.
 *
 * <pre>
 * span          | front (suffixes)       | back           | builds
 * [0, 11)       | -                      | 0..10          | back from the buckets (restart)
 * [1, 12)       | 1..10, 2..10, .., 10   | 11             | front from buckets 1..10
 * [2, 13)       | 2..10, .., 10          | 11, 12         | -
 * [11, 22)      | -                      | 11..21         | -
 * [12, 23)      | 12..21, .., 21         | 22             | front from buckets 12..21
 * </pre>
 *
 * <p>Exactness: DDSketch bins hold whole counts in doubles, so any merge order gives the same bins,
 * hence the same encoded sketches and quantiles, unless a sketch collapses (more than
 * {@link Sketches#MAX_BINS} bins: values spanning a factor of about 6e17). Counts are longs. The
 * only double sum, a concurrency level's {@code e2eMsSum}, is added in another order than a plain
 * merge of the buckets in time order and may differ from it in the last bits (it is exact while
 * the latencies are whole or binary-fraction milliseconds); the order depends only on the input
 * and the sequence of calls, so a replay of the same input is byte-identical. The processor's
 * running window aggregate already differed that way (probes added one by one to a merge that
 * held their bucket's earlier probes).
 *
 * <p>The buckets must not change while merged here: a change to one calls {@link #invalidate}.
 * Memory: at most one merged aggregate per bucket of the span (the suffixes shrink as the start
 * moves; the back is one).
 */
final class SlidingMerge {

    private static final long[] NO_STARTS = new long[0];
    private static final ProbeSketches[] NO_SUFFIXES = new ProbeSketches[0];

    private boolean valid;
    private long from;
    /** Starts of the front's buckets, in time order; suffix[i] merges buckets i.. of the front. */
    private long[] frontStarts = NO_STARTS;
    private ProbeSketches[] suffix = NO_SUFFIXES;
    /** The first front bucket with start at or after from. */
    private int first;
    /** The front holds starts before frontEnd, the back those in [frontEnd, backEnd). */
    private long frontEnd;
    private long backEnd;
    private ProbeSketches back;

    /**
     * Moves the span to [from, to). {@code buckets} must hold every bucket with start in the new
     * span (a start missing from it is a bucket without probes) and those it held before the move
     * unchanged.
     */
    void slideTo(NavigableMap<Long, ProbeSketches> buckets, long from, long to) {
        if (!valid || from < this.from || to < backEnd || from >= backEnd) {
            restart(buckets, from, to);
            return;
        }
        if (from > frontEnd) {
            // the start moved into the back, which cannot drop buckets: make a front of what stays
            buildFront(buckets, from, backEnd);
        } else {
            while (first < frontStarts.length && frontStarts[first] < from) {
                suffix[first++] = null;
            }
        }
        this.from = from;
        if (to > backEnd) {
            buckets.subMap(backEnd, to).values().forEach(back::merge);
            backEnd = to;
        }
    }

    /** Adds the span's merge to {@code out} and returns out. */
    ProbeSketches mergeInto(ProbeSketches out) {
        if (first < suffix.length) {
            out.merge(suffix[first]);
        }
        return out.merge(back);
    }

    /** Forgets everything merged: a bucket in the span changed. The next move merges afresh. */
    void invalidate() {
        valid = false;
        frontStarts = NO_STARTS;
        suffix = NO_SUFFIXES;
        first = 0;
        back = null;
    }

    /** Everything in the back, no front: right for a span whose start stays, paid for once if not. */
    private void restart(NavigableMap<Long, ProbeSketches> buckets, long from, long to) {
        invalidate();
        back = new ProbeSketches();
        if (to > from) {
            buckets.subMap(from, to).values().forEach(back::merge);
        }
        this.from = from;
        frontEnd = from;
        backEnd = Math.max(from, to);
        valid = true;
    }

    private void buildFront(NavigableMap<Long, ProbeSketches> buckets, long from, long to) {
        NavigableMap<Long, ProbeSketches> front = buckets.subMap(from, true, to, false);
        frontStarts = new long[front.size()];
        suffix = new ProbeSketches[front.size()];
        first = 0;
        ProbeSketches later = null;
        int i = front.size();
        for (var e : front.descendingMap().entrySet()) {
            i--;
            frontStarts[i] = e.getKey();
            later = new ProbeSketches().merge(later).merge(e.getValue());
            suffix[i] = later;
        }
        frontEnd = to;
        back = new ProbeSketches();
    }
}
