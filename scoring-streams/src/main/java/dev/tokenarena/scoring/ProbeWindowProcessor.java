package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ProbeEndpointState;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import java.util.ArrayList;
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
 * cost about 250 µs of CPU per probe. Here a probe updates one 5-minute bucket and the
 * endpoint's small state record (written to their stores at most once per commit, see below). Each window keeps running figures in memory: the
 * endpoint's newest bucket is merged into them once, when the window is next emitted or moves on
 * (a late probe into an older bucket is added to them directly), and a window that moves on takes
 * out the buckets it leaves ({@link ProbeSketches#subtract}: 5-minute buckets for the 1 h window,
 * hour buckets for the 24 h and 7 d ones), so an emission merges at most one bucket. Figures
 * are emitted for the endpoints that received probes since their last emission: in stream time
 * once the endpoint's newest 5-minute bucket has closed, and in wall-clock time every
 * {@code emit_interval} while it is open (see {@link #init}).
 *
 * <p>Why subtract: re-merging the 23 hour buckets of the 24 h window every hour (167 of them for
 * the 7 d window every day), and the 1 h window's buckets every 5 minutes, was half of a replay's
 * probe path. Once the newest bucket is merged in, a window's figures hold every probe from its
 * start on, so they are its figures at the endpoint's newest event time, which is what is emitted.
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
 * commit. An endpoint's newest 5-minute bucket and its state are written when the endpoint moves
 * to a later bucket (before anything reads the store again), when it leaves the memory, and
 * otherwise just before each commit ({@link WriteBehindStore}'s hook) and when the processor
 * closes (a suspended task closes its processors before its last commit): not after every probe,
 * because at live rates a bucket holds thousands of probes and encoding it per probe was half of
 * the stream thread. What is held in memory (decoded recent buckets and each window's running figures, per
 * endpoint) is derived from the stores, cleared in {@link #init} and summed afresh from the
 * buckets on demand, so a restarted or migrated task computes the same figures (a concurrency
 * level's e2e sum up to its last bits, see {@link ProbeSketches}). The memory is bounded to
 * {@link #MEMO_ENDPOINTS} endpoints per task, each with at most an hour of decoded 5-minute
 * buckets and one set of figures per window; others are recomputed from the store.
 *
 * <p>A replay is never restored and nothing else reads its stores: it needs no commit hook, and
 * its stores are plain in-memory ones.
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

    /** Endpoints whose decoded buckets and window figures are kept in memory, per task. */
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
    /** The main window, then the extra ones, in the order of {@code Memo.sums}. */
    private final List<Window> windows = new ArrayList<>();
    /** One bit per extra window: {@code Memo.extrasDue} after a probe. */
    private final long allExtras;
    private final long fineKeepMs;
    private final long coarseKeepMs;
    private final boolean replay;
    private ProcessorContext<String, WindowStats> context;
    private KeyValueStore<String, ProbeWindowAgg> bucketStore;
    private KeyValueStore<String, ProbeEndpointState> stateStore;
    private Sensor lateDropped;
    private long lateCount;
    private final Set<String> pending = new LinkedHashSet<>();
    private final Set<String> extrasPending = new LinkedHashSet<>();
    /** Endpoints whose newest 5-minute bucket or state changed since they were last written. */
    private final Set<String> unwritten = new LinkedHashSet<>();
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
     * @param replay a replay's processor, never restored: its stores need not be
     *               {@link WriteBehindStore}s (everyone else's must, see the class comment)
     */
    ProbeWindowProcessor(String bucketStoreName, String stateStoreName, ScoringParams params, String mainLabel,
                         boolean replay) {
        this.replay = replay;
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
        windows.add(new Window(buckets.coarseMs(), buckets.fineMs(), true));
        // extra windows' sizes and advances are whole hours (ScoringParams): their starts are too
        extras.forEach(w -> windows.add(new Window(w.size().toMillis(), w.advance().toMillis(), false)));
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
        unwritten.clear();
        if (!replay) {
            WriteBehindStore<?, ?> buckets = WriteBehindStore.find(bucketStore);
            WriteBehindStore<?, ?> states = WriteBehindStore.find(stateStore);
            if (buckets == null || states == null) {
                throw new IllegalStateException("the probe-window stores '" + bucketStoreName + "' and '"
                        + stateStoreName + "' must be built with WriteBehindStore.builder: this processor writes "
                        + "its newest buckets just before each commit, through their hook");
            }
            // both carry the hook: whichever cache Kafka flushes first, both stores are written before either is
            buckets.beforeCommit(this::writeBackAll);
            states.beforeCommit(this::writeBackAll);
        }
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
            // the windows move on before their leaving buckets can be evicted or deleted
            for (int i = 0; i < windows.size(); i++) {
                if (memo.sums[i].valid) {
                    moveTo(endpoint, memo, i, windows.get(i).startAt(t));
                }
            }
            memo.newestFine = fine;
            memo.evictFineBefore(fine - buckets.coarseMs());
            for (WindowSum sum : memo.sums) {
                sum.pending = fine; // its probes go to the bucket only, and the bucket to the windows whole
            }
        }
        ProbeSketches.Entry entry = ProbeSketches.Entry.of(probe);
        bucket.add(entry);
        for (WindowSum sum : memo.sums) {
            if (sum.valid && t >= sum.from && fine != sum.pending) {
                sum.figures.add(entry); // late probes too: no bucket a window holds changes behind its back
            }
        }
        if (fine == memo.newestFine) {
            unwritten.add(endpoint);
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
            coarse.add(entry);
            bucketStore.put(ProbeBuckets.key(endpoint, ProbeBuckets.COARSE, hour), coarse.toAvro());
        }
        if (t > state.getLastEventMs()) {
            state.setLastEventMs(t);
        }
        state.setPending(true);
        unwritten.add(endpoint);
        pending.add(endpoint);
        if (!extras.isEmpty()) {
            extrasPending.add(endpoint);
            memo.extrasDue = allExtras;
        }
    }

    /** Writes the endpoint's newest 5-minute bucket and its state if a probe changed them since. */
    private void writeBack(String endpoint, Memo memo) {
        if (!unwritten.remove(endpoint) || memo == null) {
            return; // a memo that left the memory was written as it left
        }
        ProbeSketches newest = memo.fine.get(memo.newestFine);
        if (newest != null) { // null when only a late probe into an older bucket changed the state
            bucketStore.put(ProbeBuckets.key(endpoint, ProbeBuckets.FINE, memo.newestFine), newest.toAvro());
        }
        stateStore.put(endpoint, memo.state);
    }

    /** Writes every endpoint's unwritten bucket and state: before each commit and on close. Idempotent. */
    private void writeBackAll() {
        for (String endpoint : new ArrayList<>(unwritten)) {
            writeBack(endpoint, memos.get(endpoint));
        }
    }

    /**
     * A suspended or cleanly closed task closes its processors before its last commit: what is
     * held is written now (the stores are still open; their hook then finds nothing to write).
     */
    @Override
    public void close() {
        if (!replay) {
            writeBackAll();
        }
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
            long[] main = windows.get(0).at(t);
            forward(endpoint, mainLabel, moveTo(endpoint, memo, 0, main[0]).stats(main[0], main[1]), t);

            memo.state.setPending(false);
            stateStore.put(endpoint, memo.state);
        }
        // The 24 h and 7 d windows, each label on its own: in stream time once its window (24 h by
        // 1 h: the hour; 7 d by 1 d: the day) has closed; in wall-clock time (interim) all due
        // labels, at most once per 5-minute bucket of stream time per endpoint (they move little in
        // minutes, and their figures cost the most to read). A label that stays due waits for a
        // later punctuation.
        for (java.util.Iterator<String> it = extrasPending.iterator(); it.hasNext(); ) {
            String endpoint = it.next();
            Memo memo = memo(endpoint);
            long t = memo.state.getLastEventMs();
            long due = 0;
            if (closedOnly) {
                for (int i = 0; i < extras.size(); i++) {
                    if ((memo.extrasDue & (1L << i)) != 0 && windows.get(i + 1).at(t)[1] <= streamTimeMs) {
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
            for (int i = 0; i < extras.size(); i++) {
                if ((due & (1L << i)) != 0) {
                    long[] win = windows.get(i + 1).at(t);
                    forward(endpoint, extras.get(i).label(), moveTo(endpoint, memo, i + 1, win[0]).stats(win[0], win[1]), t);
                }
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

    private void forward(String endpoint, String label, ProbeStats stats, long t) {
        context.forward(new Record<>(endpoint, new WindowStats(label, stats), t));
    }

    /**
     * The running figures of window i (0: the main window, then the extra ones) moved to start at
     * {@code from}: the buckets it passes taken out, or, when they are not known (a new memo, a
     * move back), summed afresh from the buckets. Every probe with time at or after the start is
     * in them once the pending newest bucket is merged in (first thing here), so they are the
     * window's figures at the newest event time.
     */
    private ProbeSketches moveTo(String endpoint, Memo memo, int i, long from) {
        WindowSum sum = memo.sums[i];
        Window window = windows.get(i);
        if (sum.valid && sum.pending != Long.MIN_VALUE) {
            // the newest bucket, whole: probes into it were not added one by one
            if (sum.pending >= sum.from) {
                sum.figures.merge(memo.fine.get(sum.pending));
            }
            sum.pending = Long.MIN_VALUE;
        }
        if (!sum.valid || from < sum.from) {
            ProbeSketches figures = new ProbeSketches();
            forEachBucket(endpoint, memo, from, Long.MAX_VALUE, window.fineOnly(), figures::merge);
            sum.reset(figures, from);
        } else if (from > memo.newestFine) {
            sum.reset(new ProbeSketches(), from); // everything it held is older than its new start
        } else if (from > sum.from) {
            forEachBucket(endpoint, memo, sum.from, from, window.fineOnly(), sum.figures::subtract);
            sum.from = from;
        }
        return sum.figures;
    }

    /**
     * Hands every bucket of the endpoint with start in [from, to) to {@code use}, each probe once:
     * hour buckets for the closed hours (unless {@code fineOnly}, for a start inside an hour), then
     * 5-minute buckets, decoded into the memo.
     */
    private void forEachBucket(String endpoint, Memo memo, long from, long to, boolean fineOnly,
                               java.util.function.Consumer<ProbeSketches> use) {
        long closed = fineOnly ? from : Math.max(from, Math.min(to, memo.state.getClosedThroughMs()));
        for (KeyValue<String, ProbeWindowAgg> kv : range(ProbeBuckets.COARSE, endpoint, from, closed)) {
            use.accept(ProbeSketches.fromAvro(kv.value));
        }
        if (to > closed) {
            decodeFine(memo, endpoint, closed);
            memo.fine.subMap(closed, to).values().forEach(use);
        }
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
                    : ProbeEndpointState.newBuilder().setLastEventMs(Long.MIN_VALUE).setClosedThroughMs(-1).build(),
                    windows.size());
            if (memo.state.getLastEventMs() != Long.MIN_VALUE) {
                // after a restart, a probe into an older bucket must still count as late
                memo.newestFine = buckets.fineStart(memo.state.getLastEventMs());
            }
            memo.extrasDue = allExtras;
            memos.put(endpoint, memo);
        }
        return memo;
    }

    /** A trailing window: size and advance; {@code fineOnly} when its start can fall inside an hour. */
    private record Window(long sizeMs, long advanceMs, boolean fineOnly) {
        long[] at(long t) {
            return ProbeBuckets.trailing(t, sizeMs, advanceMs);
        }

        long startAt(long t) {
            return at(t)[0];
        }
    }

    /**
     * A window's running figures and the start they hold from; not valid until first summed. They
     * hold every probe from the start on except those of the {@code pending} bucket: the endpoint's
     * newest, merged in whole when the window is next read or moved (one merge per bucket and
     * window, where adding its probes one by one cost one histogram update per value and window).
     */
    private static final class WindowSum {
        ProbeSketches figures;
        long from;
        boolean valid;
        long pending = Long.MIN_VALUE;

        void reset(ProbeSketches figures, long from) {
            this.figures = figures;
            this.from = from;
            this.valid = true;
            this.pending = Long.MIN_VALUE;
        }
    }

    /** What is kept decoded for one endpoint; every field can be rebuilt from the stores. */
    private static final class Memo {
        final ProbeEndpointState state;
        /** Start of the newest 5-minute bucket a probe went to. */
        long newestFine = Long.MIN_VALUE;
        /**
         * Decoded 5-minute buckets by start: the newest hour of them at most (one main window, also
         * the current hour's), so a window moving on or closing an hour decodes nothing. Every
         * bucket with start at or after fineCompleteFrom is here (a missing one has no probes).
         */
        final java.util.NavigableMap<Long, ProbeSketches> fine = new java.util.TreeMap<>();
        long fineCompleteFrom = Long.MAX_VALUE;
        /** Per window (the main one, then the extra ones): its running figures. */
        final WindowSum[] sums;
        /** Stream time of the last 24 h / 7 d emission (in memory: after a restart they are due at once). */
        long extrasEmittedAt = Long.MIN_VALUE;
        /**
         * Bit i set: extra window i has probes not emitted yet. All set for a new memo (after a
         * restart or an eviction the endpoint may be pending): at worst a label is emitted twice.
         */
        long extrasDue;
        Memo(ProbeEndpointState state, int windows) {
            this.state = state;
            this.sums = new WindowSum[windows];
            for (int i = 0; i < windows; i++) {
                sums[i] = new WindowSum();
            }
        }

        /** Drops decoded buckets that start before cutoff; they stay in the store. */
        void evictFineBefore(long cutoff) {
            fine.headMap(cutoff).clear();
            if (fineCompleteFrom < cutoff) {
                fineCompleteFrom = cutoff;
            }
        }
    }
}
