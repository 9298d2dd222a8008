package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.scoring.avro.EndpointSummary;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by model (the cohort): keeps the latest summary per (model, endpoint) and, on a
 * stream-time punctuation every emit interval, scores each cohort that changed since the last
 * punctuation, over the windows that changed, and emits one composite per (member, preset,
 * window), keyed by endpoint_id. The changed
 * set is a store too, so a restart does not lose pending work. Cohort normalization needs all
 * members at once, hence one task per model rather than per endpoint.
 *
 * <pre>
 * stream time | input                 | output (emit interval 1 min)
 * 10:00:10    | summary e1 (model m)  | -   (m marked changed)
 * 10:00:40    | summary e2 (model m)  | -
 * 10:01:10    | summary e1 (model m)  | punctuation: composites of e1, e2 for every preset at 10:01:10
 * </pre>
 */
final class CohortScorer implements Processor<String, EndpointSummary, String, EndpointComposite> {

    private final String summaryStoreName;
    private final String changedStoreName;
    private final ScoringParams params;
    private ProcessorContext<String, EndpointComposite> context;
    private final boolean writeStore;
    /** Summaries by model, then endpoint. */
    private DecodedGroups<EndpointSummary> summaries;
    private KeyValueStore<String, Long> changed;

    /** @param writeStore false only in a replay, which keeps the summaries in memory only (see {@link DecodedGroups}) */
    CohortScorer(String summaryStoreName, String changedStoreName, ScoringParams params, boolean writeStore) {
        this.summaryStoreName = summaryStoreName;
        this.changedStoreName = changedStoreName;
        this.params = params;
        this.writeStore = writeStore;
    }

    @Override
    public void init(ProcessorContext<String, EndpointComposite> context) {
        this.context = context;
        this.summaries = new DecodedGroups<>(context.getStateStore(summaryStoreName), writeStore);
        this.changed = context.getStateStore(changedStoreName);
        context.schedule(params.emitInterval(), PunctuationType.STREAM_TIME, this::emit);
    }

    @Override
    public void process(Record<String, EndpointSummary> record) {
        EndpointSummary s = record.value();
        if (record.key() == null || s == null) {
            return;
        }
        EndpointSummary previous = summaries.get(record.key(), s.getEndpointId());
        summaries.put(record.key(), s.getEndpointId(), s);
        for (String window : changedWindows(previous, s)) {
            changed.put(ScoringTopology.compositeKey(record.key(), window), record.timestamp());
        }
    }

    /**
     * The windows whose composites a summary update can change: all of them when an input they
     * share changed (price, quality, fidelity, energy, grid, catalogue) or the endpoint is new;
     * otherwise only the windows whose probe stats changed. The 24 h / 7 d stats change every
     * few minutes while the 1 h ones change every emit interval, so this saves most of the
     * composites (and their downstream) of the longer windows.
     */
    private List<String> changedWindows(EndpointSummary previous, EndpointSummary now) {
        List<String> all = new ArrayList<>();
        all.add(CohortScoring.PROBE_WINDOW_LABEL);
        params.probeExtraWindows().forEach(w -> all.add(w.label()));
        if (previous == null || !sameSharedInputs(previous, now)) {
            return all;
        }
        List<String> out = new ArrayList<>();
        if (!java.util.Objects.equals(previous.getProbe(), now.getProbe())) {
            out.add(CohortScoring.PROBE_WINDOW_LABEL);
        }
        for (ScoringParams.ProbeWindow w : params.probeExtraWindows()) {
            if (!java.util.Objects.equals(previous.getProbeByWindow().get(w.label()),
                    now.getProbeByWindow().get(w.label()))) {
                out.add(w.label());
            }
        }
        return out;
    }

    /** Every field but the probe stats equal (field by field: no copies). */
    private static boolean sameSharedInputs(EndpointSummary a, EndpointSummary b) {
        for (org.apache.avro.Schema.Field f : EndpointSummary.getClassSchema().getFields()) {
            if (f.name().equals("probe") || f.name().equals("probe_by_window")) {
                continue;
            }
            if (!java.util.Objects.equals(a.get(f.pos()), b.get(f.pos()))) {
                return false;
            }
        }
        return true;
    }

    private void emit(long streamTimeMs) {
        // changed keys are model + US + window, in key order: one model's windows are adjacent
        java.util.Map<String, java.util.Set<String>> windowsByModel = new java.util.LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = changed.all()) {
            it.forEachRemaining(kv -> {
                keys.add(kv.key);
                int at = kv.key.indexOf(ScoringTopology.KEY_SEPARATOR);
                String model = at < 0 ? kv.key : kv.key.substring(0, at);
                java.util.Set<String> windows = windowsByModel.computeIfAbsent(model, m -> new java.util.HashSet<>());
                if (at < 0) {
                    windows.add(null); // a key written before windows were tracked: every window
                } else {
                    windows.add(kv.key.substring(at + 1));
                }
            });
        }
        for (java.util.Map.Entry<String, java.util.Set<String>> e : windowsByModel.entrySet()) {
            List<EndpointSummary> cohort = new ArrayList<>(summaries.members(e.getKey()));
            java.util.Set<String> windows = e.getValue().contains(null) ? null : e.getValue();
            for (EndpointComposite c : CohortScoring.score(cohort, params, streamTimeMs, windows)) {
                context.forward(new Record<>(c.getEndpointId(), c, streamTimeMs));
            }
        }
        keys.forEach(changed::delete);
    }
}
