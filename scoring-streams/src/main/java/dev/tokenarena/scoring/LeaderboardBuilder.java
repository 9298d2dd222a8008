package dev.tokenarena.scoring;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by preset: keeps the latest composite per (preset, window, endpoint) and, on a stream-time
 * punctuation every emit interval, emits a snapshot of every (preset, window) that changed, keyed
 * {@code Topics.leaderboardKey}: the preset for the main 1 h window, preset@window for the others. Rows by score
 * descending, ties by endpoint_id, rank from 1. Rows whose probe window ended a full window
 * before the newest one are left out: the endpoint stopped being measured. Each snapshot carries
 * its rank stability under +/-10-point weight perturbations and the preset's Pareto frontiers
 * ({@link LeaderboardAnalysis}).
 *
 * <pre>
 * stream time | input                          | output (emit interval 1 min)
 * 10:01:10    | composite e1 chat 80, e2 chat 60 | -  (chat changed)
 * 10:02:10    | composite e1 chat 80 (next batch)| snapshot chat: 1 e1 80, 2 e2 60
 * </pre>
 */
final class LeaderboardBuilder implements Processor<String, EndpointComposite, String, LeaderboardSnapshot> {

    private final String compositeStoreName;
    private final String changedStoreName;
    private final ScoringParams params;
    private ProcessorContext<String, LeaderboardSnapshot> context;
    private final boolean writeStore;
    /** Composites by board (preset + window), then endpoint. */
    private DecodedGroups<EndpointComposite> composites;
    private KeyValueStore<String, Long> changed;

    /** @param writeStore false only in a replay, which keeps the composites in memory only (see {@link DecodedGroups}) */
    LeaderboardBuilder(String compositeStoreName, String changedStoreName, ScoringParams params, boolean writeStore) {
        this.compositeStoreName = compositeStoreName;
        this.changedStoreName = changedStoreName;
        this.params = params;
        this.writeStore = writeStore;
    }

    @Override
    public void init(ProcessorContext<String, LeaderboardSnapshot> context) {
        this.context = context;
        this.composites = new DecodedGroups<>(context.getStateStore(compositeStoreName), writeStore);
        this.changed = context.getStateStore(changedStoreName);
        context.schedule(params.emitInterval(), PunctuationType.STREAM_TIME, this::emit);
    }

    @Override
    public void process(Record<String, EndpointComposite> record) {
        EndpointComposite c = record.value();
        if (record.key() == null || c == null) {
            return;
        }
        String board = ScoringTopology.compositeKey(record.key(), c.getWindow());
        composites.put(board, c.getEndpointId(), c);
        changed.put(board, record.timestamp());
    }

    /** Size of a probe window by label, ms (rows older than one window behind the newest are stale). */
    static long windowSizeMs(String window, ScoringParams params) {
        return params.probeExtraWindows().stream().filter(w -> w.label().equals(window)).findFirst()
                .map(w -> w.size().toMillis()).orElse(params.windows().probeSize().toMillis());
    }

    private void emit(long streamTimeMs) {
        List<String> boards = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = changed.all()) {
            it.forEachRemaining(kv -> boards.add(kv.key));
        }
        for (String board : boards) {
            List<EndpointComposite> rows = new ArrayList<>(composites.members(board));
            changed.delete(board);
            int at = board.indexOf(ScoringTopology.KEY_SEPARATOR);
            String preset = board.substring(0, at);
            LeaderboardSnapshot snapshot = snapshot(preset, rows, streamTimeMs, params);
            if (snapshot != null) {
                context.forward(new Record<>(Topics.leaderboardKey(preset, board.substring(at + 1)),
                        snapshot, streamTimeMs));
            }
        }
    }

    static LeaderboardSnapshot snapshot(String preset, List<EndpointComposite> all, long generatedAtMs,
                                        ScoringParams params) {
        EndpointComposite newest = all.stream().max(Comparator.comparingLong(EndpointComposite::getWindowEndMs))
                .orElse(null);
        if (newest == null) {
            return null;
        }
        long staleBefore = newest.getWindowEndMs() - windowSizeMs(newest.getWindow(), params);
        List<EndpointComposite> live = all.stream().filter(c -> c.getWindowEndMs() > staleBefore)
                .sorted(Comparator.comparingDouble(EndpointComposite::getScore).reversed()
                        .thenComparing(EndpointComposite::getEndpointId))
                .toList();
        List<LeaderboardRow> rows = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            rows.add(new LeaderboardRow(i + 1, live.get(i)));
        }
        LeaderboardSnapshot.Builder b = LeaderboardSnapshot.newBuilder().setPreset(preset)
                .setWindow(newest.getWindow())
                .setWindowStartMs(newest.getWindowStartMs()).setWindowEndMs(newest.getWindowEndMs())
                .setGeneratedAtMs(generatedAtMs).setConfigHash(params.configHash()).setRows(rows)
                .setFrontierQualityCost(LeaderboardAnalysis.qualityCostFrontier(live))
                .setFrontierThroughputInteractivity(LeaderboardAnalysis.throughputInteractivityFrontier(live));
        ScoringParams.Preset p = params.presets().get(preset);
        LeaderboardAnalysis.RankStability stability = p == null ? null
                : LeaderboardAnalysis.rankStability(live, p.weights());
        if (stability != null) {
            b.setRankStabilityKendallTauMin(stability.kendallTauMin()).setLeaderStable(stability.leaderStable())
                    .setRankStabilityPerturbations(stability.perturbations());
        }
        return b.build();
    }
}
