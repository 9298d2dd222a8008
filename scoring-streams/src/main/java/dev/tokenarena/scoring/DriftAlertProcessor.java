package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.scoring.avro.AlertState;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The alert lifecycle per (endpoint, kind), keyed by endpoint_id: at most one OPEN until it is
 * RESOLVED; both carry the same alert_id (endpoint:kind:opened_at_ms, stable under replay).
 *
 * <pre>
 * time | verdict      | state before | output            | state after
 * t1   | Healthy(99)  | closed       | -                 | closed, baseline 99
 * t2   | Breach       | closed       | OPEN  id=e:K:t2   | open since t2
 * t3   | Breach       | open         | -                 | open since t2
 * t4   | Healthy(98)  | open         | RESOLVED id=e:K:t2 | closed, baseline 98
 * t5   | Change       | closed       | OPEN + RESOLVED id=e:K:t5 | closed
 * </pre>
 * The rule's memory ({@link DriftRule#remember}) is stored on every record that changes it.
 */
final class DriftAlertProcessor<V> implements Processor<String, V, String, DriftAlert> {

    static final String OPEN = "OPEN";
    static final String RESOLVED = "RESOLVED";

    private final String storeName;
    private final DriftRule<V> rule;
    private final String configHash;
    private ProcessorContext<String, DriftAlert> context;
    private KeyValueStore<String, AlertState> store;

    DriftAlertProcessor(String storeName, DriftRule<V> rule, String configHash) {
        this.storeName = storeName;
        this.rule = rule;
        this.configHash = configHash;
    }

    @Override
    public void init(ProcessorContext<String, DriftAlert> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        String stateKey = ScoringTopology.compositeKey(record.key(), rule.kind());
        AlertState before = store.get(stateKey);
        AlertState state = rule.remember(record.value(), before == null ? AlertState.newBuilder().build() : before);
        long ts = record.timestamp();
        DriftRule.Verdict verdict = rule.judge(record.value(), state);
        if (verdict instanceof DriftRule.Breach breach && !state.getOpen()) {
            String id = record.key() + ":" + rule.kind() + ":" + ts;
            state = AlertState.newBuilder(state).setOpen(true).setAlertId(id).setOpenedAtMs(ts)
                    .setSeverity(breach.severity()).setSummary(breach.summary()).build();
            emit(record, id, OPEN, ts, ts, breach.severity(), breach.summary(), breach.evidence());
        } else if (verdict instanceof DriftRule.Change change && !state.getOpen()) {
            String id = record.key() + ":" + rule.kind() + ":" + ts;
            state = AlertState.newBuilder(state).setAlertId(id).setOpenedAtMs(ts).setSummary(change.summary()).build();
            emit(record, id, OPEN, ts, ts, change.severity(), change.summary(), change.evidence());
            emit(record, id, RESOLVED, ts, ts, "info", change.summary(), change.evidence());
        } else if (verdict instanceof DriftRule.Healthy healthy && (state.getOpen() || healthy.baseline() != null)) {
            // (healthy, nothing open, no new baseline: the state stays as it is, no copy made)
            AlertState.Builder next = AlertState.newBuilder(state).setOpen(false);
            if (healthy.baseline() != null) {
                next.setBaseline(healthy.baseline()).setBaselineCount(healthy.baselineCount());
            }
            if (state.getOpen()) {
                String summary = healthy.summary().get();
                emit(record, state.getAlertId(), RESOLVED, state.getOpenedAtMs(), ts, "info", summary,
                        healthy.evidence().get());
                next.setSummary(summary);
            }
            state = next.build();
        }
        if (!state.equals(before)) {
            store.put(stateKey, state);
        }
    }

    private void emit(Record<String, V> record, String alertId, String alertState, long openedAt, long ts,
                      String severity, String summary, dev.tokenarena.schemas.v1.AlertEvidence evidence) {
        DriftAlert alert = DriftAlert.newBuilder().setAlertId(alertId).setEndpointId(record.key())
                .setKind(rule.kind()).setState(alertState).setOpenedAtMs(openedAt).setEventTimeMs(ts)
                .setSeverity(severity).setSummary(summary).setConfigHash(configHash).setEvidence(evidence).build();
        context.forward(new Record<>(record.key(), alert, ts, record.headers()));
    }
}
