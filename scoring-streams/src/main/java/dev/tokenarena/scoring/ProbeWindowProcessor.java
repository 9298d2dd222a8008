package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ProbeEndpointState;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probe windows per endpoint, built from time buckets instead of Kafka's hopping windows.
 *
 * <p>Why: a hopping window of 1 h by 5 min puts every event into 12 windows, the 24 h and 7 d
 * windows into 31 more, and each of those updates decoded and re-encoded six DDSketches. That
 * cost about 250 µs of CPU per probe. Here a probe updates one 5-minute bucket (one store write)
 * and the endpoint's small state record; window figures are merged from buckets only when they
 * are emitted, for the endpoints that received probes since their last emission: in stream time
 * once the endpoint's newest 5-minute bucket has closed, and in wall-clock time every
 * {@code emit_interval} while it is open (see {@link #init}).
 *
 * <pre>
 * time (stream / wall) | input               | store writes                    | output (emit interval 1 min)
 * 10:06:10             | probe e1 at 10:06   | fine e1@10:05, state e1 pending | -
 * 10:06:40             | probe e1 at 10:06   | fine e1@10:05, state e1         | -
 * wall +1 min          | (wall punctuation)  | state e1 not pending            | e1: 1h [09:10,10:10) so far, 24h, 7d
 * 10:09:00             | probe e1 at 10:09   | fine e1@10:05, state e1 pending | -
 * 10:10:0x             | (stream punctuation)| state e1 not pending            | e1: 1h [09:10,10:10) final (24h, 7d: 5 min after the last)
 * 11:00:05             | probe e1 at 11:00   | coarse e1@10:00 = merge of fine 10:00..10:55, old buckets deleted
 * </pre>
 *
 * <p>Exactly-once: buckets and states are in changelogged stores written before the offsets
 * commit. What is held in memory (decoded current buckets and partial merges, per endpoint) is
 * derived from the stores, cleared in {@link #init} and rebuilt on demand, so a restarted or
 * migrated task computes the same figures. The memory is bounded to {@link #MEMO_ENDPOINTS}
 * endpoints per task, each with at most an hour of decoded 5-minute buckets and as many partial
 * merges (the main window's {@link SlidingMerge}: at most one per bucket; the current hour's: one);
 * others are recomputed from the store.
 *
 * <p>In a replay ({@code writeBehind}), nothing is restored and nothing else reads the stores, so
 * the newest 5-minute bucket and the state of an endpoint are written when the endpoint moves to
 * a later bucket (before anything reads the store again) or leaves the memory, not after every
 * probe: the per-probe encoding was a quarter of a replay's probe path.
 *
 * <p>Late probes: a probe whose 5-minute bucket ended more than the grace period before stream
 * time is dropped, logged and counted (sensor {@code late-probes-dropped}); an accepted late
 * probe also updates its hour bucket if that hour was already closed.
 */
final class ProbeWindowProcessor implements Processor<String, ProbeResult, String, ProbeWindowProcessor.WindowStats> {

    /** Figures of one window label for one endpoint. */
    record WindowStats(String label, ProbeStats stats) {
    }

    /** Longest wall-clock period of the interim emission (shorter when the emit interval is). */
    static final java.time.Duration INTERIM_MAX = java.time.Duration.ofSeconds(10);

    /** Endpoints whose decoded buckets and partial merges are kept in memory, per task. */
    static final int MEMO_ENDPOINTS = 1024;
    /** Hours of hour buckets kept at least, for the query API's history (7 days). */
    static final long HISTORY_MS = 168L * 3_600_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ProbeWindowProcessor.class);

    private final String bucketStoreName;
    private final String stateStoreName;
    private final ScoringParams params;
    private final ProbeBuckets buckets;
    private final String mainLabel;
    private final List<ScoringParams.ProbeWindow> extras;
    /** One bit per extra window: {@code Memo.extrasDue} after a probe. */
    private final long allExtras;
    private final long fineKeepMs;
    private final long coarseKeepMs;
    private final boolean writeBehind;
    private ProcessorContext<String, WindowStats> context;
    private KeyValueStore<String, ProbeWindowAgg> bucketStore;
    private KeyValueStore<String, ProbeEndpointState> stateStore;
    private Sensor lateDropped;
    private long lateCount;
    private final Set<String> pending = new LinkedHashSet<>();
    /** Cleared and merged into for each emitted window: no allocation per emission. */
    private final ProbeSketches scratch = new ProbeSketches();
    private final Set<String> extrasPending = new LinkedHashSet<>();
    private final Map<String, Memo> memos = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Memo> eldest) {
            if (size() <= MEMO_ENDPOINTS) {
                return false;
            }
            writeBack(eldest.getKey(), eldest.getValue());
            return true;
        }
    };

    /**
     * @param writeBehind write an endpoint's newest bucket and state when it moves on or leaves the
     *                    memory instead of after every probe: only for a replay, which is never restored
     */
    ProbeWindowProcessor(String bucketStoreName, String stateStoreName, ScoringParams params, String mainLabel,
                         boolean writeBehind) {
        this.writeBehind = writeBehind;
        this.bucketStoreName = bucketStoreName;
        this.stateStoreName = stateStoreName;
        this.params = params;
        this.buckets = ProbeBuckets.of(params);
        this.mainLabel = mainLabel;
        this.extras = params.probeExtraWindows();
        if (extras.size() > 63) {
            throw new IllegalArgumentException("at most 63 extra probe windows, got " + extras.size());
        }
        this.allExtras = (1L << extras.size()) - 1;
        long grace = params.windows().grace().toMillis();
        // fine buckets: the main window reaches one window size back from the current hour
        this.fineKeepMs = 2 * buckets.coarseMs() + grace;
        long longest = extras.stream().mapToLong(w -> w.size().toMillis()).max().orElse(0L);
        this.coarseKeepMs = Math.max(longest, HISTORY_MS) + buckets.coarseMs() + grace;
    }

    @Override
    public void init(ProcessorContext<String, WindowStats> context) {
        this.context = context;
        this.bucketStore = context.getStateStore(bucketStoreName);
        this.stateStore = context.getStateStore(stateStoreName);
        this.lateDropped = context.metrics().addRateTotalSensor("probe-windows", context.taskId().toString(),
                "late-probes-dropped", Sensor.RecordingLevel.INFO);
        memos.clear();
        pending.clear();
        extrasPending.clear();
        // probes that arrived before a restart but were not emitted yet
        try (KeyValueIterator<String, ProbeEndpointState> it = stateStore.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && kv.value.getPending()) {
                    pending.add(kv.key);
                    if (!extras.isEmpty()) {
                        extrasPending.add(kv.key);
                    }
                }
            });
        }
        // Two triggers (scoring.md, "When window figures are emitted"): in stream time, an
        // endpoint's figures once its newest 5-minute bucket has closed (so a replay or a catch-up
        // emits each hop of the window once, however fast it reads); in wall-clock time, the
        // figures of every endpoint with probes since its last emission, every emit interval but
        // at least every INTERIM_MAX (interim figures of the open bucket, for freshness, also in a
        // time-compressed demo; also emits probes left pending by a restart in a partition that
        // then goes quiet). A replay's test driver advances wall-clock time only at the end of the
        // replay, so replays stay byte-identical.
        context.schedule(params.emitInterval(), PunctuationType.STREAM_TIME, t -> emit(t, true));
        java.time.Duration interim = params.emitInterval().compareTo(INTERIM_MAX) < 0 ? params.emitInterval() : INTERIM_MAX;
        context.schedule(interim, PunctuationType.WALL_CLOCK_TIME, wallMs -> {
            if (!pending.isEmpty() || !extrasPending.isEmpty()) {
                emit(context.currentStreamTimeMs(), false);
            }
        });
    }

    @Override
    public void process(Record<String, ProbeResult> record) {
        String endpoint = record.key();
        ProbeResult probe = record.value();
        if (endpoint == null || probe == null) {
            return;
        }
        long t = record.timestamp();
        long streamTime = context.currentStreamTimeMs();
        if (buckets.tooLate(t, streamTime)) {
            lateDropped.record();
            lateCount++;
            if (Long.bitCount(lateCount) == 1) { // 1st, 2nd, 4th, ... so a flood cannot flood the log
                LOG.warn("probe dropped as late: endpoint {} at {} ms is older than its 5-minute bucket plus "
                        + "the grace period at stream time {} ms ({} late probes dropped by this task)",
                        endpoint, t, streamTime, lateCount);
            }
            return;
        }
        Memo memo = memo(endpoint);
        long fine = buckets.fineStart(t);
        ProbeSketches bucket = fineBucket(memo, endpoint, fine);
        if (fine > memo.newestFine) {
            writeBack(endpoint, memo); // the bucket it leaves, before closeHours reads it
            memo.newestFine = fine;
            memo.evictFineBefore(fine - buckets.coarseMs());
        } else if (fine < memo.newestFine) {
            memo.invalidateMerges(); // a late probe changed a bucket a merge may hold
        }
        bucket.add(probe);
        if (fine == memo.newestFine && memo.mainFor == fine) {
            memo.main.add(probe); // the main window's running aggregate holds the current bucket
        }
        if (writeBehind && fine == memo.newestFine) {
            memo.unwritten = true;
        } else {
            bucketStore.put(ProbeBuckets.key(endpoint, ProbeBuckets.FINE, fine), bucket.toAvro());
        }

        ProbeEndpointState state = memo.state;
        long hour = buckets.coarseStart(t);
        if (state.getClosedThroughMs() < 0) {
            state.setClosedThroughMs(hour);
        } else if (hour > state.getClosedThroughMs()) {
            closeHours(endpoint, memo, state.getClosedThroughMs(), hour);
            state.setClosedThroughMs(hour);
        } else if (hour < state.getClosedThroughMs()) {
            // late into an hour already written: keep its hour bucket whole
            ProbeSketches coarse = load(ProbeBuckets.COARSE, endpoint, hour);
            coarse.add(probe);
            bucketStore.put(ProbeBuckets.key(endpoint, ProbeBuckets.COARSE, hour), coarse.toAvro());
            memo.invalidateMerges();
        }
        if (t > state.getLastEventMs()) {
            state.setLastEventMs(t);
        }
        state.setPending(true);
        if (!writeBehind) {
            stateStore.put(endpoint, state);
        }
        pending.add(endpoint);
        if (!extras.isEmpty()) {
            extrasPending.add(endpoint);
            memo.extrasDue = allExtras;
        }
    }

    /** With writeBehind: writes the endpoint's newest 5-minute bucket and its state if a probe changed them since. */
    private void writeBack(String endpoint, Memo memo) {
        if (!memo.unwritten) {
            return;
        }
        bucketStore.put(ProbeBuckets.key(endpoint, ProbeBuckets.FINE, memo.newestFine),
                memo.fine.get(memo.newestFine).toAvro());
        stateStore.put(endpoint, memo.state);
        memo.unwritten = false;
    }

    /**
     * Writes the hour buckets of [fromHour, toHour) from their fine buckets and drops old buckets.
     * The fine buckets come decoded from the memo when it holds the whole span (it is never older
     * than the store), else from the store.
     */
    private void closeHours(String endpoint, Memo memo, long fromHour, long toHour) {
        Map<Long, ProbeSketches> hours = new LinkedHashMap<>();
        if (memo.fineCompleteFrom <= fromHour) {
            memo.fine.subMap(fromHour, toHour).forEach((start, fine) ->
                    hours.computeIfAbsent(buckets.coarseStart(start), h -> new ProbeSketches()).merge(fine));
        } else {
            for (KeyValue<String, ProbeWindowAgg> kv : range(ProbeBuckets.FINE, endpoint, fromHour, toHour)) {
                hours.computeIfAbsent(buckets.coarseStart(ProbeBuckets.startOf(kv.key)), h -> new ProbeSketches())
                        .merge(ProbeSketches.fromAvro(kv.value));
            }
        }
        hours.forEach((h, agg) -> bucketStore.put(ProbeBuckets.key(endpoint, ProbeBuckets.COARSE, h), agg.toAvro()));
        deleteBefore(ProbeBuckets.FINE, endpoint, toHour - fineKeepMs);
        deleteBefore(ProbeBuckets.COARSE, endpoint, toHour - coarseKeepMs);
    }

    private void deleteBefore(char level, String endpoint, long cutoff) {
        if (cutoff <= 0) {
            return;
        }
        for (KeyValue<String, ProbeWindowAgg> kv : range(level, endpoint, 0, cutoff)) {
            bucketStore.delete(kv.key);
        }
    }

    /** Emits pending endpoints: all of them, or only those whose newest bucket ended by streamTimeMs. */
    private void emit(long streamTimeMs, boolean closedOnly) {
        for (java.util.Iterator<String> it = pending.iterator(); it.hasNext(); ) {
            String endpoint = it.next();
            Memo memo = memo(endpoint);
            long t = memo.state.getLastEventMs();
            long fine = buckets.fineStart(t);
            if (closedOnly && fine + buckets.fineMs() > streamTimeMs) {
                continue;
            }
            it.remove();
            long[] main = ProbeBuckets.trailing(t, buckets.coarseMs(), buckets.fineMs());
            if (memo.mainFor != fine) {
                // the window's buckets before the current one, then the current one; probes into the
                // current bucket are added to it as they come, so an emission merges nothing
                decodeFine(memo, endpoint, main[0]);
                memo.mainBefore.slideTo(memo.fine, main[0], fine);
                memo.main = memo.mainBefore.mergeInto(new ProbeSketches()).merge(memo.fine.get(fine));
                memo.mainFor = fine;
            }
            forward(endpoint, mainLabel, memo.main.stats(main[0], main[1]), t);

            memo.state.setPending(false);
            stateStore.put(endpoint, memo.state);
        }
        // The 24 h and 7 d windows, each label on its own: in stream time once its window (24 h by
        // 1 h: the hour; 7 d by 1 d: the day) has closed; in wall-clock time (interim) all due
        // labels, at most once per 5-minute bucket of stream time per endpoint (they move little in
        // minutes and cost the most to merge). A label that stays due waits for a later punctuation.
        for (java.util.Iterator<String> it = extrasPending.iterator(); it.hasNext(); ) {
            String endpoint = it.next();
            Memo memo = memo(endpoint);
            long t = memo.state.getLastEventMs();
            long fine = buckets.fineStart(t);
            long due = 0;
            if (closedOnly) {
                for (int i = 0; i < extras.size(); i++) {
                    ScoringParams.ProbeWindow w = extras.get(i);
                    if ((memo.extrasDue & (1L << i)) != 0
                            && ProbeBuckets.trailing(t, w.size().toMillis(), w.advance().toMillis())[1] <= streamTimeMs) {
                        due |= 1L << i;
                    }
                }
            } else if (memo.extrasEmittedAt == Long.MIN_VALUE || streamTimeMs - memo.extrasEmittedAt >= buckets.fineMs()) {
                due = memo.extrasDue;
            }
            if (due == 0) {
                continue;
            }
            memo.extrasEmittedAt = streamTimeMs;
            memo.extrasDue &= ~due;
            if (memo.extrasDue == 0) {
                it.remove();
            }
            long hour = buckets.coarseStart(t);
            ProbeSketches current = fineBucket(memo, endpoint, fine);
            decodeFine(memo, endpoint, hour);
            memo.hourFine.slideTo(memo.fine, hour, fine);
            for (int i = 0; i < extras.size(); i++) {
                if ((due & (1L << i)) == 0) {
                    continue;
                }
                ScoringParams.ProbeWindow w = extras.get(i);
                long[] win = ProbeBuckets.trailing(t, w.size().toMillis(), w.advance().toMillis());
                ProbeSketches agg;
                if (win[0] <= hour) {
                    // [start, hour) from hour buckets, then this hour's closed fine buckets, then the current one
                    PartKey partKey = new PartKey(win[0], hour);
                    ProbeSketches part = memo.coarseParts.get(w.label());
                    if (part == null || !partKey.equals(memo.coarsePartFor.get(w.label()))) {
                        part = mergeRange(ProbeBuckets.COARSE, endpoint, win[0], hour);
                        memo.coarseParts.put(w.label(), part);
                        memo.coarsePartFor.put(w.label(), partKey);
                    }
                    agg = memo.hourFine.mergeInto(scratch.clear().merge(part)).merge(current);
                } else {
                    // a window shorter than its advance may start after this hour began
                    agg = mergeFine(memo, endpoint, win[0], fine);
                    if (fine >= win[0]) {
                        agg.merge(current);
                    }
                }
                forward(endpoint, w.label(), agg.stats(win[0], win[1]), t);
            }
        }
    }

    /**
     * The endpoint's 5-minute bucket starting at start, decoded: from the memo, else from the store
     * (then kept in the memo). Every write of a fine bucket goes through this object, so the memo's
     * copy is never older than the store's.
     */
    private ProbeSketches fineBucket(Memo memo, String endpoint, long start) {
        ProbeSketches b = memo.fine.get(start);
        if (b == null) {
            b = start >= memo.fineCompleteFrom ? new ProbeSketches() : load(ProbeBuckets.FINE, endpoint, start);
            memo.fine.put(start, b);
        }
        return b;
    }

    /** Makes the memo hold every 5-minute bucket of the endpoint with start at or after from. */
    private void decodeFine(Memo memo, String endpoint, long from) {
        if (from < memo.fineCompleteFrom) {
            // decode what the memo lacks once; later merges over this span read no store
            for (KeyValue<String, ProbeWindowAgg> kv : range(ProbeBuckets.FINE, endpoint, from, memo.fineCompleteFrom)) {
                memo.fine.putIfAbsent(ProbeBuckets.startOf(kv.key), ProbeSketches.fromAvro(kv.value));
            }
            memo.fineCompleteFrom = from;
        }
    }

    /** The merge of the endpoint's 5-minute buckets with start in [from, to), from decoded buckets. */
    private ProbeSketches mergeFine(Memo memo, String endpoint, long from, long to) {
        decodeFine(memo, endpoint, from);
        ProbeSketches out = new ProbeSketches();
        if (to > from) {
            memo.fine.subMap(from, to).values().forEach(out::merge);
        }
        return out;
    }

    private void forward(String endpoint, String label, ProbeStats stats, long t) {
        context.forward(new Record<>(endpoint, new WindowStats(label, stats), t));
    }

    private ProbeSketches mergeRange(char level, String endpoint, long from, long to) {
        ProbeSketches out = new ProbeSketches();
        for (KeyValue<String, ProbeWindowAgg> kv : range(level, endpoint, from, to)) {
            out.merge(ProbeSketches.fromAvro(kv.value));
        }
        return out;
    }

    /** The buckets of one level with start in [from, to), in time order. */
    private List<KeyValue<String, ProbeWindowAgg>> range(char level, String endpoint, long from, long to) {
        List<KeyValue<String, ProbeWindowAgg>> out = new ArrayList<>();
        if (to <= from) {
            return out;
        }
        try (KeyValueIterator<String, ProbeWindowAgg> it = bucketStore.range(
                ProbeBuckets.key(endpoint, level, Math.max(0, from)), ProbeBuckets.key(endpoint, level, to - 1))) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private ProbeSketches load(char level, String endpoint, long start) {
        return ProbeSketches.fromAvro(bucketStore.get(ProbeBuckets.key(endpoint, level, start)));
    }

    private Memo memo(String endpoint) {
        Memo memo = memos.get(endpoint);
        if (memo == null) {
            ProbeEndpointState state = stateStore.get(endpoint);
            memo = new Memo(state != null ? state
                    : ProbeEndpointState.newBuilder().setLastEventMs(Long.MIN_VALUE).setClosedThroughMs(-1).build());
            if (memo.state.getLastEventMs() != Long.MIN_VALUE) {
                // after a restart, a probe into an older bucket must still count as late
                memo.newestFine = buckets.fineStart(memo.state.getLastEventMs());
            }
            memo.extrasDue = allExtras;
            memos.put(endpoint, memo);
        }
        return memo;
    }

    /** Which hour buckets a merged part holds: [start, hour). */
    private record PartKey(long start, long hour) {
    }

    /** What is kept decoded for one endpoint; every field can be rebuilt from the stores. */
    private static final class Memo {
        final ProbeEndpointState state;
        /** Start of the newest 5-minute bucket a probe went to. */
        long newestFine = Long.MIN_VALUE;
        /** With writeBehind: the newest bucket and the state changed since they were last written. */
        boolean unwritten;
        /**
         * Decoded 5-minute buckets by start: the newest hour of them at most (one main window, also
         * the current hour's), so a window merge decodes nothing. Every bucket with start at or
         * after fineCompleteFrom is here (a missing one has no probes).
         */
        final java.util.NavigableMap<Long, ProbeSketches> fine = new java.util.TreeMap<>();
        long fineCompleteFrom = Long.MAX_VALUE;
        /**
         * The main window's figures while its newest bucket starts at mainFor: the merge of its
         * buckets when that bucket began to be emitted, plus every probe added to it since.
         */
        ProbeSketches main;
        long mainFor = Long.MIN_VALUE;
        /** The main window's buckets before its newest one, merged as the window hops. */
        final SlidingMerge mainBefore = new SlidingMerge();
        /** Fine buckets of the current hour before the current one. */
        final SlidingMerge hourFine = new SlidingMerge();
        /** Stream time of the last 24 h / 7 d emission (in memory: after a restart they are due at once). */
        long extrasEmittedAt = Long.MIN_VALUE;
        /**
         * Bit i set: extra window i has probes not emitted yet. All set for a new memo (after a
         * restart or an eviction the endpoint may be pending): at worst a label is emitted twice.
         */
        long extrasDue;
        /** Per extra window label: its hour buckets before the current hour. */
        final Map<String, ProbeSketches> coarseParts = new HashMap<>();
        final Map<String, PartKey> coarsePartFor = new HashMap<>();

        Memo(ProbeEndpointState state) {
            this.state = state;
        }

        /** Drops decoded buckets that start before cutoff; they stay in the store. */
        void evictFineBefore(long cutoff) {
            fine.headMap(cutoff).clear();
            if (fineCompleteFrom < cutoff) {
                fineCompleteFrom = cutoff;
            }
        }

        void invalidateMerges() {
            mainFor = Long.MIN_VALUE;
            mainBefore.invalidate();
            hourFine.invalidate();
            coarseParts.clear();
            coarsePartFor.clear();
        }
    }
}
