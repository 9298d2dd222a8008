package dev.tokenarena.scoring;

import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The time arithmetic of the probe windows: two bucket levels and the trailing windows built
 * from them. Pure; no state.
 *
 * <ul>
 *   <li><b>fine</b> buckets are one probe-window advance long (5 min); every probe lands in one.
 *   <li><b>coarse</b> buckets are one probe-window size long (1 h); each is written once, when
 *       its hour is over, as the merge of its fine buckets. They serve the 24 h and 7 d windows
 *       and the query API's history.
 * </ul>
 * A window of size S hopping by A, at the newest event time t, is the one Kafka's hopping
 * windows would call trailing: it ends at the first multiple of A after t and starts S before.
 * Windows align to the epoch like Kafka's, so 1 d windows start at UTC midnight.
 *
 * <pre>
 * t = 10:07, fine 5 min, coarse 1 h
 * 1 h / 5 min  -> [09:10, 10:10) = fine [09:10 .. 10:05]             (12 buckets)
 * 24 h / 1 h   -> [11:00 yesterday, 11:00) = coarse [11:00 .. 09:00] (23) + fine [10:00, 10:05] (2)
 * 7 d / 1 d    -> [6 days ago 00:00, tomorrow 00:00) = coarse up to 09:00 + fine of 10:xx
 * </pre>
 *
 * <p>Store keys are {@code endpoint + US + level + 16 hex digits of the bucket start}: fixed width,
 * so the byte order of keys is time order and one endpoint's buckets of one level are a range.
 */
final class ProbeBuckets {

    static final char FINE = 'm';
    static final char COARSE = 'h';
    private static final String ZEROS = "0000000000000000";

    private final long fineMs;
    private final long coarseMs;
    private final long graceMs;

    ProbeBuckets(long fineMs, long coarseMs, long graceMs) {
        if (fineMs <= 0 || coarseMs < fineMs || coarseMs % fineMs != 0) {
            throw new IllegalArgumentException("probe window size (" + coarseMs
                    + " ms) must be a positive multiple of its advance (" + fineMs + " ms)");
        }
        this.fineMs = fineMs;
        this.coarseMs = coarseMs;
        this.graceMs = graceMs;
    }

    static ProbeBuckets of(ScoringParams params) {
        ScoringParams.Windows w = params.windows();
        return new ProbeBuckets(w.probeAdvance().toMillis(), w.probeSize().toMillis(), w.grace().toMillis());
    }

    long fineMs() {
        return fineMs;
    }

    long coarseMs() {
        return coarseMs;
    }

    long fineStart(long t) {
        return Math.floorDiv(t, fineMs) * fineMs;
    }

    long coarseStart(long t) {
        return Math.floorDiv(t, coarseMs) * coarseMs;
    }

    /**
     * Whether a probe at {@code t} is too late at stream time {@code streamTimeMs}: its fine
     * bucket ended more than the grace period ago. Kafka's hopping windows would still take it
     * into older windows for a while, but no trailing window that is still emitted contains it.
     */
    boolean tooLate(long t, long streamTimeMs) {
        return fineStart(t) + fineMs + graceMs <= streamTimeMs;
    }

    /** The trailing window of size/advance at newest event time t, as [start, end). */
    static long[] trailing(long t, long sizeMs, long advanceMs) {
        long end = Math.floorDiv(t, advanceMs) * advanceMs + advanceMs;
        return new long[] {end - sizeMs, end};
    }

    static String key(String endpointId, char level, long startMs) {
        String hex = Long.toHexString(startMs);
        return endpointId + ScoringTopology.KEY_SEPARATOR + level + ZEROS.substring(hex.length()) + hex;
    }

    /** The bucket start encoded in a key built by {@link #key}. */
    static long startOf(String key) {
        return Long.parseUnsignedLong(key.substring(key.length() - 16), 16);
    }

    /**
     * One endpoint's hour bucket from a read-only view of the bucket store: the written hour
     * bucket, or for the hour still open the merge of its 5-minute buckets (null when empty).
     */
    ProbeWindowAgg history(ReadOnlyKeyValueStore<String, ProbeWindowAgg> store, String endpointId, long startMs) {
        ProbeWindowAgg closed = store.get(key(endpointId, COARSE, startMs));
        if (closed != null) {
            return closed;
        }
        ProbeSketches open = new ProbeSketches();
        try (KeyValueIterator<String, ProbeWindowAgg> it = store.range(key(endpointId, FINE, startMs),
                key(endpointId, FINE, startMs + coarseMs - 1))) {
            it.forEachRemaining(kv -> open.merge(ProbeSketches.fromAvro(kv.value)));
        }
        return open.probeCount() == 0 ? null : open.toAvro();
    }
}
