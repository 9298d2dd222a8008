package dev.tokenarena.scoring;

import dev.tokenarena.scoring.avro.FidelityEndpointState;
import dev.tokenarena.scoring.avro.FidelityObservation;
import dev.tokenarena.scoring.avro.FidelityStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by endpoint_id: the latest SKL per prompt, and from them F = 100 exp(-mean SKL over
 * prompts), the status and the noise floor F of the model's reference over the same prompts.
 * Emits the endpoint's stats on every observation. A fixed-key processor: the key stays
 * endpoint_id, so the table built from its output needs no repartition.
 *
 * <pre>
 * time | observation (prompt, SKL) | state                | output
 * t1   | (p1, 0.0)                 | {p1: 0.0}            | F = 100, prompts 1, unknown (< min)
 * t2   | (p2, 0.2)                 | {p1: 0.0, p2: 0.2}   | F = 100 e^-0.1 = 90.48, prompts 2
 * t3   | (p1, 0.1)                 | {p1: 0.1, p2: 0.2}   | F = 100 e^-0.15 = 86.07
 * </pre>
 */
final class EndpointFidelity implements FixedKeyProcessor<String, FidelityObservation, FidelityStats> {

    private final String storeName;
    private final ScoringParams params;
    private FixedKeyProcessorContext<String, FidelityStats> context;
    private KeyValueStore<String, FidelityEndpointState> store;

    EndpointFidelity(String storeName, ScoringParams params) {
        this.storeName = storeName;
        this.params = params;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, FidelityStats> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, FidelityObservation> record) {
        FidelityObservation obs = record.value();
        if (obs == null) {
            return;
        }
        FidelityEndpointState prev = store.get(record.key());
        Map<String, Double> skl = new LinkedHashMap<>(prev == null ? Map.of() : prev.getSklByPrompt());
        Map<String, Double> noise = new LinkedHashMap<>(prev == null ? Map.of() : prev.getNoiseSklByPrompt());
        skl.put(obs.getPromptId(), obs.getSkl());
        if (obs.getNoiseSkl() != null) {
            noise.put(obs.getPromptId(), obs.getNoiseSkl());
        }
        // Observations of one endpoint come from every (model, prompt) partition, so their event
        // times interleave; the stats carry the newest time seen, keeping the table in time order.
        long latest = Math.max(record.timestamp(), prev == null ? 0L : prev.getLatestEventMs());
        FidelityEndpointState state = FidelityEndpointState.newBuilder().setModel(obs.getModel())
                .setReference(obs.getReference()).setSklByPrompt(skl).setNoiseSklByPrompt(noise)
                .setLatestEventMs(latest).build();
        store.put(record.key(), state);
        context.forward(record.withValue(stats(record.key(), state, latest)).withTimestamp(latest));
    }

    FidelityStats stats(String endpointId, FidelityEndpointState state, long eventTimeMs) {
        int prompts = state.getSklByPrompt().size();
        double f = FidelityMath.fidelity(mean(state.getSklByPrompt()));
        Double noiseFloor = state.getNoiseSklByPrompt().isEmpty() ? null
                : FidelityMath.fidelity(mean(state.getNoiseSklByPrompt()));
        String status = state.getReference() ? "reference" : params.fidelityStatus(f, prompts);
        return FidelityStats.newBuilder().setEndpointId(endpointId).setModel(state.getModel())
                .setReference(state.getReference()).setFidelity(f).setPrompts(prompts).setStatus(status)
                .setNoiseFloor(noiseFloor).setEventTimeMs(eventTimeMs).build();
    }

    private static double mean(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).average().orElse(0.0);
    }
}
