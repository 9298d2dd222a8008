package dev.tokenarena.scoring;

import dev.tokenarena.scoring.avro.CanaryReference;
import dev.tokenarena.scoring.avro.CanarySignal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by (model, canary_id): remembers the reference endpoint's latest answers (hashes) to the
 * canary, and forwards every other endpoint's answer, re-keyed by endpoint_id, with the distinct
 * hashes the reference itself gave: temperature 0 is not deterministic in production, so the
 * reference's own variants are the yardstick for "new".
 *
 * <pre>
 * time | input          | reference state (last 20) | output
 * t1   | ref  hash A    | [A]                       | -
 * t2   | ref  hash B    | [A, B]                    | -
 * t3   | e1   hash B    | [A, B]                    | e1: B, variants {A, B}, 2 samples
 * </pre>
 */
final class CanaryReferenceTracker implements Processor<String, CanarySignal, String, CanarySignal> {

    private final String storeName;
    private final int keep;
    private ProcessorContext<String, CanarySignal> context;
    private KeyValueStore<String, CanaryReference> store;

    CanaryReferenceTracker(String storeName, int keep) {
        this.storeName = storeName;
        this.keep = keep;
    }

    @Override
    public void init(ProcessorContext<String, CanarySignal> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, CanarySignal> record) {
        CanarySignal s = record.value();
        if (record.key() == null || s == null) {
            return;
        }
        CanaryReference ref = store.get(record.key());
        List<String> hashes = ref == null ? new ArrayList<>() : new ArrayList<>(ref.getHashes());
        if (s.getReference()) {
            hashes.add(s.getResponseSha256());
            while (hashes.size() > keep) {
                hashes.remove(0);
            }
            store.put(record.key(), new CanaryReference(hashes));
            return;
        }
        CanarySignal out = CanarySignal.newBuilder(s).setReferenceVariants(new ArrayList<>(new TreeSet<>(hashes)))
                .setReferenceSamples(hashes.size()).build();
        context.forward(new Record<>(s.getEndpointId(), out, record.timestamp(), record.headers()));
    }
}
