package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ProbeEndpointState;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The probe-window processor keeps decoded buckets in memory; after a restart (a new processor
 * instance on the same stores, as after a crash or a task move) it must compute the same figures
 * from the stores alone. Compared here against one instance that saw everything. Also when
 * windows are emitted: in stream time once closed, in wall-clock time while open.
 */
class ProbeWindowRestartTest {

    private enum Restart { COMMIT, CLOSE, NONE }

    /** One processor instance over stores that outlive it. */
    private static final class Run {
        final MockProcessorContext<String, ProbeWindowProcessor.WindowStats> context = new MockProcessorContext<>();
        final KeyValueStore<String, ProbeWindowAgg> buckets;
        final KeyValueStore<String, ProbeEndpointState> states;
        ProbeWindowProcessor processor;
        /** The current processor's punctuations (the mock context keeps every one ever scheduled). */
        org.apache.kafka.streams.processor.Punctuator emitPunctuator;
        org.apache.kafka.streams.processor.Punctuator closedPunctuator;
        long streamTime = 0;
        private final boolean replay;
        /** How start() ends the previous processor: by a commit (the stores' hook), by close(), or not at all. */
        Restart restart = Restart.COMMIT;

        Run() {
            this(false);
        }

        /**
         * One registry per store: the mock context names every store's topic alike. The live
         * processor's stores are write-behind ones, as in the topology; a replay's are plain.
         */
        Run(boolean replay) {
            this.replay = replay;
            var bucketStore = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ScoringTopology.PROBE_BUCKETS_STORE),
                    Serdes.String(), AvroWireSerde.forType(ProbeWindowAgg.class, new InMemorySchemaRegistry())).withLoggingDisabled();
            var stateStore = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ScoringTopology.PROBE_ENDPOINT_STATE_STORE),
                    Serdes.String(), AvroWireSerde.forType(ProbeEndpointState.class, new InMemorySchemaRegistry())).withLoggingDisabled();
            buckets = (replay ? bucketStore : WriteBehindStore.builder(bucketStore)).build();
            states = (replay ? stateStore : WriteBehindStore.builder(stateStore)).build();
            buckets.init(context.getStateStoreContext(), buckets);
            states.init(context.getStateStoreContext(), states);
            context.addStateStore(buckets);
            context.addStateStore(states);
            start();
        }

        /**
         * A new processor on the same stores, after the old one's commit (or close, as a
         * suspended task does): nothing of the old one's memory survives, so the new one sees
         * only what reached the stores, as a task restored from its changelog after a crash.
         */
        void start() {
            if (processor != null) {
                switch (restart) {
                    case COMMIT -> commit();
                    case CLOSE -> processor.close();
                    case NONE -> { }
                }
            }
            context.resetForwards();
            int scheduled = context.scheduledPunctuators().size();
            processor = new ProbeWindowProcessor(ScoringTopology.PROBE_BUCKETS_STORE,
                    ScoringTopology.PROBE_ENDPOINT_STATE_STORE, ScoringParams.defaults(), CohortScoring.PROBE_WINDOW_LABEL,
                    replay);
            processor.init(context);
            emitPunctuator = punctuator(scheduled, PunctuationType.WALL_CLOCK_TIME);
            closedPunctuator = punctuator(scheduled, PunctuationType.STREAM_TIME);
        }

        /** What Kafka Streams does to the stores in prepareCommit, before the transaction commits. */
        void commit() {
            ((WriteBehindStore<?, ?>) buckets).flushCache();
            ((WriteBehindStore<?, ?>) states).flushCache();
        }

        private org.apache.kafka.streams.processor.Punctuator punctuator(int from, PunctuationType type) {
            return context.scheduledPunctuators().subList(from, context.scheduledPunctuators().size())
                    .stream().filter(p -> p.getType() == type).findFirst().orElseThrow().getPunctuator();
        }

        void probe(long at, double ttftMs) {
            probe("e1", at, ttftMs);
        }

        void probe(String endpoint, long at, double ttftMs) {
            streamTime = Math.max(streamTime, at);
            context.setCurrentStreamTimeMs(streamTime);
            ProbeResult p = Events.probe(endpoint, at).setTtftMs(ttftMs).build();
            processor.process(new Record<>(endpoint, p, at));
        }

        /**
         * Runs the wall-clock punctuation (interim figures of every endpoint with new probes) at
         * stream time t; returns the 1 h stats.
         */
        List<ProbeStats> emit(long t) {
            return mainLabel(punctuate(emitPunctuator, t));
        }

        /** Runs the stream-time punctuation (windows whose newest bucket closed) at stream time t. */
        List<ProbeStats> emitClosed(long t) {
            return mainLabel(punctuate(closedPunctuator, t));
        }

        /** Runs the stream-time punctuation at stream time t; returns every window emitted. */
        List<ProbeWindowProcessor.WindowStats> emitClosedAll(long t) {
            return punctuate(closedPunctuator, t);
        }

        /** Runs the wall-clock punctuation at stream time t; returns every window emitted. */
        List<ProbeWindowProcessor.WindowStats> emitAll(long t) {
            return punctuate(emitPunctuator, t);
        }

        private static List<ProbeStats> mainLabel(List<ProbeWindowProcessor.WindowStats> windows) {
            List<ProbeStats> out = new ArrayList<>();
            windows.forEach(w -> {
                if (CohortScoring.PROBE_WINDOW_LABEL.equals(w.label())) {
                    out.add(w.stats());
                }
            });
            return out;
        }

        private List<ProbeWindowProcessor.WindowStats> punctuate(org.apache.kafka.streams.processor.Punctuator punctuator,
                                                                 long t) {
            streamTime = Math.max(streamTime, t);
            context.setCurrentStreamTimeMs(streamTime);
            context.resetForwards();
            punctuator.punctuate(t);
            List<ProbeWindowProcessor.WindowStats> out = new ArrayList<>();
            context.forwarded().forEach(f -> out.add(f.record().value()));
            return out;
        }
    }

    /**
     * The live processor writes an endpoint's newest bucket and state before each commit; a
     * replay's only when the endpoint moves to a later bucket or leaves the memory. Both must emit
     * the same: the same seeded input (1,100 endpoints, more than the memo holds, so endpoints are
     * evicted and reloaded from the stores; 26 hours, so hour buckets close and the 24 h window
     * reads them; a few probes late into a closed hour, within the grace period), with both
     * punctuations and the live one's commits run now and then, goes to one processor of each kind.
     */
    @Test
    void shouldEmitTheSameWindowsLiveAsInAReplay() {
        Run through = new Run(false);
        Run behind = new Run(true);
        Random random = new Random(11);
        int endpoints = ProbeWindowProcessor.MEMO_ENDPOINTS + 76;
        long t = T0;
        long late = 0;
        for (int i = 0; i < 20_000; i++) {
            t += random.nextInt(9_000); // 26 hours in all, on average
            String endpoint = "e" + (random.nextInt(2) == 0 ? random.nextInt(endpoints) : random.nextInt(12));
            long at = t;
            if (t % (60 * MINUTE) < 2 * MINUTE && random.nextInt(4) == 0) {
                at = t - 3 * MINUTE; // into the hour closed a moment ago, within the grace period
                late++;
            }
            double ttft = 50 + random.nextInt(2_000);
            through.probe(endpoint, at, ttft);
            behind.probe(endpoint, at, ttft);
            if (random.nextInt(25) == 0) {
                through.commit();
            }
            if (random.nextInt(40) == 0) {
                assertEquals(through.emitClosedAll(t), behind.emitClosedAll(t), "stream-time emission at " + t);
            }
            if (random.nextInt(300) == 0) {
                assertEquals(through.emitAll(t), behind.emitAll(t), "wall-clock emission at " + t);
            }
        }
        assertTrue(t - T0 > 24 * (60 * MINUTE), "the 24 h window is reached: " + (t - T0));
        assertTrue(late > 10, "late probes: " + late);
        assertEquals(through.emitAll(t + (60 * MINUTE)), behind.emitAll(t + (60 * MINUTE)));
    }

    /**
     * In stream time a window is emitted once its newest bucket has closed, so a catch-up or a
     * replay emits each 5-minute hop once however fast it reads. Probes at 10:01 and 10:07: at
     * 10:09 the bucket [10:05, 10:10) is open (nothing); at 10:10 the window [09:10, 10:10) with
     * both probes; at 10:11 nothing more (nothing new). A probe at 10:12 then shows in the
     * wall-clock (interim) emission as the open window [09:15, 10:15) with all three.
     */
    @Test
    void shouldEmitAWindowInStreamTimeOnceItsNewestBucketHasClosed() {
        Run run = new Run();
        run.probe(T0 + MINUTE, 100);
        run.probe(T0 + 7 * MINUTE, 300);
        assertEquals(List.of(), run.emitClosed(T0 + 9 * MINUTE));
        List<ProbeStats> closed = run.emitClosed(T0 + 10 * MINUTE);
        assertEquals(1, closed.size());
        assertEquals(T0 - 50 * MINUTE, closed.get(0).getWindowStartMs());
        assertEquals(T0 + 10 * MINUTE, closed.get(0).getWindowEndMs());
        assertEquals(2, closed.get(0).getProbeCount());
        assertEquals(List.of(), run.emitClosed(T0 + 11 * MINUTE));
        run.probe(T0 + 12 * MINUTE, 200);
        List<ProbeStats> interim = run.emit(T0 + 12 * MINUTE);
        assertEquals(1, interim.size());
        assertEquals(T0 + 15 * MINUTE, interim.get(0).getWindowEndMs());
        assertEquals(3, interim.get(0).getProbeCount());
    }

    /**
     * In stream time each longer window is emitted once it has closed, on its own hop: probes at
     * 10:01 and 10:07 give the 1 h window at 10:10 only; the 24 h window (by 1 h) [yesterday
     * 11:00, 11:00) at 11:00 with both probes; the 7 d window (by 1 d) at the next midnight; then
     * nothing until new probes. The wall-clock (interim) emission gives every due label at once.
     */
    @Test
    void shouldEmitEachLongerWindowInStreamTimeWhenItsOwnHopCloses() {
        Run run = new Run();
        run.probe(T0 + MINUTE, 100);
        run.probe(T0 + 7 * MINUTE, 300);
        assertEquals(List.of("1h"), labels(run.emitClosedAll(T0 + 10 * MINUTE)));
        assertEquals(List.of(), labels(run.emitClosedAll(T0 + 59 * MINUTE)));
        List<ProbeWindowProcessor.WindowStats> hour = run.emitClosedAll(T0 + 60 * MINUTE);
        assertEquals(List.of("24h"), labels(hour));
        assertEquals(T0 + 60 * MINUTE, hour.get(0).stats().getWindowEndMs());
        assertEquals(2, hour.get(0).stats().getProbeCount());
        long midnight = java.time.Instant.ofEpochMilli(T0).atZone(java.time.ZoneOffset.UTC).toLocalDate()
                .plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
        assertEquals(List.of(), labels(run.emitClosedAll(midnight - 1)));
        assertEquals(List.of("7d"), labels(run.emitClosedAll(midnight)));
        assertEquals(List.of(), labels(run.emitClosedAll(midnight + 60 * MINUTE)));
        run.probe(midnight + 61 * MINUTE, 200);
        assertEquals(List.of("1h", "24h", "7d"), labels(run.emitAll(midnight + 61 * MINUTE)));
    }

    private static List<String> labels(List<ProbeWindowProcessor.WindowStats> windows) {
        return windows.stream().map(ProbeWindowProcessor.WindowStats::label).toList();
    }

    /**
     * Probes every 4 minutes from 10:00 with TTFT 100, 104, 108, ...; one run restarts at 10:42,
     * after the 10:40 bucket got its first probe. At 10:58 both report the trailing hour
     * [10:00, 11:00): 15 probes (10:00 .. 10:56), median the 8th value = 100 + 7 x 4 = 128,
     * within DDSketch's 1%. The restarted run must read the buckets before 10:42 from the store.
     */
    @Test
    void shouldReportTheSameWindowAfterARestartAsWithout() {
        Run steady = new Run();
        Run restarted = new Run();
        for (int i = 0; i < 15; i++) {
            long at = T0 + i * 4 * MINUTE;
            double ttft = 100 + 4 * i;
            if (at == T0 + 44 * MINUTE) {
                restarted.start();
            }
            steady.probe(at, ttft);
            restarted.probe(at, ttft);
        }
        ProbeStats before = steady.emit(T0 + 58 * MINUTE).get(0);
        ProbeStats after = restarted.emit(T0 + 58 * MINUTE).get(0);
        assertEquals(T0, before.getWindowStartMs());
        assertEquals(15, before.getProbeCount());
        assertEquals(128.0, before.getTtftMsP50(), 128 * 0.01);
        assertEquals(before, after);
    }

    /**
     * A late probe (within the grace period) into a bucket the memory already merged: after it the
     * figures must include it, in both runs, and agree. Probes at 10:01 and 10:06 (ttft 100, 200),
     * emit at 10:07; then a late one at 10:04 (ttft 300) at stream time 10:07; emit at 10:08: three
     * probes, median 200.
     */
    @Test
    void shouldIncludeALateProbeInAnAlreadyMergedBucket() {
        Run steady = new Run();
        steady.probe(T0 + MINUTE, 100);
        steady.probe(T0 + 6 * MINUTE, 200);
        assertEquals(2, steady.emit(T0 + 7 * MINUTE).get(0).getProbeCount());
        steady.probe(T0 + 4 * MINUTE, 300);
        ProbeStats s = steady.emit(T0 + 8 * MINUTE).get(0);
        assertEquals(3, s.getProbeCount());
        assertEquals(200.0, s.getTtftMsP50(), 2.0);
    }

    /**
     * After a restart the memory knows nothing, yet a late probe into an older bucket of the
     * window must still reach the figures. Probes at 10:01 and 10:06 (ttft 100, 200); restart;
     * emit at 10:07 (the restarted run rebuilds the window from the store); a late probe at 10:04
     * (ttft 300, within the 5-minute grace: its bucket [10:00, 10:05) ends at 10:05 + 5 > 10:07);
     * emit at 10:08: 3 probes, median 200, in both runs.
     */
    @Test
    void shouldCountALateProbeAfterARestartInTheRebuiltWindow() {
        Run steady = new Run();
        Run restarted = new Run();
        for (Run r : List.of(steady, restarted)) {
            r.probe(T0 + MINUTE, 100);
            r.probe(T0 + 6 * MINUTE, 200);
        }
        restarted.start();
        assertEquals(steady.emit(T0 + 7 * MINUTE), restarted.emit(T0 + 7 * MINUTE));
        steady.probe(T0 + 4 * MINUTE, 300);
        restarted.probe(T0 + 4 * MINUTE, 300);
        ProbeStats s = steady.emit(T0 + 8 * MINUTE).get(0);
        assertEquals(3, s.getProbeCount());
        assertEquals(200.0, s.getTtftMsP50(), 2.0);
        assertEquals(s, restarted.emit(T0 + 8 * MINUTE).get(0));
    }

    /**
     * The memory keeps each window's running figures, adding probes as they come and taking out
     * the buckets a window leaves as it hops; a processor restarted before every emission has no
     * memory and sums each window afresh from the store. Twelve hours of probes (random TTFT, seed
     * fixed) with gaps of up to 1.5 h (windows with missing buckets, hours skipped), late probes
     * within the grace period, and emissions every 1 to 4 minutes: every window the steady run
     * emits (1 h, 24 h, 7 d) must equal the restarted run's, to the bit (every probe's end-to-end
     * latency is 1,000 ms, so the one double sum is exact in any order).
     */
    @Test
    void shouldEmitWhatAProcessorRestartedBeforeEveryEmissionEmitsOverHoursWithGapsAndLateProbes() {
        int compared = compareSteadyWithRestarted(7L, 12 * 60 * MINUTE, 60_000, 4);
        assertTrue(compared > 150, "windows compared: " + compared);
    }

    /**
     * As above over nine days, so the 24 h window takes hour buckets out every hour and the 7 d
     * window a day of them every day (up to 20 minutes between probes, gaps of up to a day,
     * emissions every 1 to 4 hours). Both punctuations are compared; a subtraction that missed a
     * bucket, or took one out twice, would show in the 24 h and 7 d counts.
     */
    @Test
    void shouldEmitWhatAProcessorRestartedBeforeEveryEmissionEmitsOverDaysAsWindowsLeaveBuckets() {
        int compared = compareSteadyWithRestarted(19L, 9 * 24 * 60 * MINUTE, 20 * 60_000, 4 * 60);
        assertTrue(compared > 100, "windows compared: " + compared);
    }

    /**
     * A suspended task closes its processors before its last commit: close() must write what the
     * processor held. The twelve hours above, each restart by close() instead of a commit.
     */
    @Test
    void shouldEmitWhatAProcessorClosedBeforeEveryEmissionEmits() {
        int compared = compareSteadyWithRestarted(7L, 12 * 60 * MINUTE, 60_000, 4, Restart.CLOSE);
        assertTrue(compared > 150, "windows compared: " + compared);
    }

    /**
     * The newest bucket and the state are held in memory between commits: one probe at 10:01
     * leaves both stores empty until the commit, which writes bucket [10:00, 10:05) with that one
     * probe and the endpoint's state (pending, last event 10:01). A processor started without the
     * commit (a crash: Kafka restores the stores as of the last commit and reads the probe again)
     * finds nothing of it.
     */
    @Test
    void shouldWriteTheNewestBucketAndStateOnlyWhenTheStoresCommit() {
        Run run = new Run();
        run.probe(T0 + MINUTE, 100);
        String bucketKey = ProbeBuckets.key("e1", ProbeBuckets.FINE, T0);
        assertEquals(null, run.buckets.get(bucketKey));
        assertEquals(null, run.states.get("e1"));
        run.commit();
        assertEquals(1, ProbeSketches.fromAvro(run.buckets.get(bucketKey)).probeCount());
        assertEquals(T0 + MINUTE, run.states.get("e1").getLastEventMs());
        assertTrue(run.states.get("e1").getPending());

        Run crashed = new Run();
        crashed.probe(T0 + MINUTE, 100);
        crashed.restart = Restart.NONE;
        crashed.start();
        assertEquals(List.of(), crashed.emit(T0 + 2 * MINUTE));
    }

    /** Returns how many windows were compared. */
    private static int compareSteadyWithRestarted(long seed, long spanMs, int maxProbeGapMs, int maxEmitGapMin) {
        return compareSteadyWithRestarted(seed, spanMs, maxProbeGapMs, maxEmitGapMin, Restart.COMMIT);
    }

    private static int compareSteadyWithRestarted(long seed, long spanMs, int maxProbeGapMs, int maxEmitGapMin,
                                                  Restart restart) {
        Random random = new Random(seed);
        Run steady = new Run();
        Run restarted = new Run();
        restarted.restart = restart;
        long t = T0;
        long nextEmit = T0 + MINUTE;
        int compared = 0;
        boolean sawLongerWindows = false;
        while (t < T0 + spanMs) {
            t += random.nextInt(300) == 0 ? (20 + random.nextInt(maxProbeGapMs / 1_000)) * MINUTE : random.nextInt(maxProbeGapMs);
            // now and then a probe up to 4 minutes older than stream time: within the 5-minute grace
            long at = random.nextInt(8) == 0 ? Math.max(T0, steady.streamTime - random.nextInt(4 * (int) MINUTE)) : t;
            double ttft = 50 + random.nextInt(2_000);
            steady.probe(at, ttft);
            restarted.probe(at, ttft);
            if (t >= nextEmit) {
                boolean closed = random.nextBoolean();
                restarted.start();
                List<ProbeWindowProcessor.WindowStats> fresh = closed ? restarted.emitClosedAll(t) : restarted.emitAll(t);
                List<ProbeWindowProcessor.WindowStats> kept = closed ? steady.emitClosedAll(t) : steady.emitAll(t);
                for (ProbeWindowProcessor.WindowStats w : kept) {
                    assertEquals(fresh.stream().filter(f -> f.label().equals(w.label())).findFirst().orElseThrow(), w,
                            w.label() + " at " + Instant.ofEpochMilli(t));
                    sawLongerWindows |= !w.label().equals(CohortScoring.PROBE_WINDOW_LABEL);
                    compared++;
                }
                nextEmit = t + (1 + random.nextInt(maxEmitGapMin)) * MINUTE;
            }
        }
        assertTrue(sawLongerWindows, "24 h and 7 d windows compared");
        return compared;
    }
}
