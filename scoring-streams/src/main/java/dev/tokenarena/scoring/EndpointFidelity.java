package dev.tokenarena.scoring;

import dev.tokenarena.scoring.avro.CompletionSample;
import dev.tokenarena.scoring.avro.FidelityEndpointState;
import dev.tokenarena.scoring.avro.FidelityObservation;
import dev.tokenarena.scoring.avro.FidelityStats;
import dev.tokenarena.scoring.avro.PromptCompletions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
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
 *
 * <p>Every observation also appends the sample's completion to the endpoint's latest
 * {@code samples_per_prompt} completions of that prompt and takes the reference's latest
 * completions it carries. When the latest observation had no SKL (the sample or its reference
 * came without logprobs), the status comes from the sample-only test ({@link CompletionMmd}) over
 * all prompts instead: unknown below min_prompts tested prompts, modified when it rejects, else
 * faithful; F is then null, there being no logprobs to compute it from.
 *
 * <pre>
 * time | observation (no logprobs)    | completions of p1 (endpoint / reference) | output
 * t1   | p1 "a b", refs ["a b"]       | [a b] / [a b]                            | 0 prompts tested: unknown
 * t2   | p1 "a b", refs ["a b","a b"] | [a b, a b] / [a b, a b]                  | p1 tested, T = 0, p = 1
 * </pre>
 */
final class EndpointFidelity implements FixedKeyProcessor<String, FidelityObservation, FidelityStats> {

    static final String SKL = "skl";
    static final String SAMPLE_TEST = "sample_test";

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
        boolean sampleTest = obs.getPositions() == 0;
        if (!sampleTest) {
            skl.put(obs.getPromptId(), obs.getSkl());
        }
        if (obs.getNoiseSkl() != null) {
            noise.put(obs.getPromptId(), obs.getNoiseSkl());
        }
        Map<String, PromptCompletions> completions = new LinkedHashMap<>(prev == null ? Map.of()
                : prev.getCompletionsByPrompt());
        if (!obs.getReference()) {
            PromptCompletions before = completions.get(obs.getPromptId());
            completions.put(obs.getPromptId(), new PromptCompletions(
                    appended(before == null ? List.of() : before.getEndpoint(), obs.getSampleId(),
                            obs.getCompletionTokens()), new ArrayList<>(obs.getReferenceCompletions())));
        }
        // Observations of one endpoint come from every (model, prompt) partition, so their event
        // times interleave; the stats carry the newest time seen, keeping the table in time order.
        long latest = Math.max(record.timestamp(), prev == null ? 0L : prev.getLatestEventMs());
        FidelityEndpointState state = FidelityEndpointState.newBuilder().setModel(obs.getModel())
                .setReference(obs.getReference()).setSklByPrompt(skl).setNoiseSklByPrompt(noise)
                .setCompletionsByPrompt(completions).setSampleTest(sampleTest).setLatestEventMs(latest).build();
        store.put(record.key(), state);
        context.forward(record.withValue(stats(record.key(), state, latest)).withTimestamp(latest));
    }

    FidelityStats stats(String endpointId, FidelityEndpointState state, long eventTimeMs) {
        int prompts = state.getSklByPrompt().size();
        Double f = prompts == 0 ? null : FidelityMath.fidelity(mean(state.getSklByPrompt()));
        Double noiseFloor = state.getNoiseSklByPrompt().isEmpty() ? null
                : FidelityMath.fidelity(mean(state.getNoiseSklByPrompt()));
        FidelityStats.Builder b = FidelityStats.newBuilder().setEndpointId(endpointId).setModel(state.getModel())
                .setReference(state.getReference()).setNoiseFloor(noiseFloor).setEventTimeMs(eventTimeMs)
                .setMethod(state.getSampleTest() ? SAMPLE_TEST : SKL);
        if (state.getReference()) {
            return b.setFidelity(f).setPrompts(prompts).setStatus("reference").build();
        }
        if (!state.getSampleTest()) {
            return b.setFidelity(f).setPrompts(prompts).setStatus(params.fidelityStatus(f, prompts)).build();
        }
        ScoringParams.SampleTest settings = params.fidelity().sampleTest();
        CompletionMmd.Result r = CompletionMmd.test(tokenized(state), settings.settings(),
                seed(settings.seed(), endpointId));
        String status = r.prompts() < params.fidelity().minPrompts() ? "unknown"
                : r.rejected(settings.settings()) ? "modified" : "faithful";
        boolean tested = r.prompts() > 0;
        return b.setFidelity(null).setPrompts(r.prompts()).setStatus(status)
                .setSampleTestPValue(tested ? r.pValue() : null).setSampleTestMmd2(tested ? r.mmd2() : null)
                .setSampleTestPrompts(r.prompts()).setSampleTestEndpointSamples(r.endpointSamples())
                .setSampleTestReferenceSamples(r.referenceSamples())
                .setSampleTestReferenceSimilarity(tested ? r.referenceSimilarity() : null)
                .setSampleTestCrossSimilarity(tested ? r.crossSimilarity() : null).build();
    }

    /**
     * The permutation seed: the configured seed and the endpoint id (String.hashCode is specified,
     * so it is the same on every JVM and replay draws the same permutations), so that endpoints
     * do not all share one sequence of draws.
     */
    static long seed(int configured, String endpointId) {
        return ((long) configured << 32) ^ (endpointId.hashCode() & 0xffffffffL);
    }

    /** The completions as the test takes them, sorted by prompt id (which fixes the order of draws). */
    private static SortedMap<String, CompletionMmd.PromptSamples> tokenized(FidelityEndpointState state) {
        SortedMap<String, CompletionMmd.PromptSamples> out = new TreeMap<>();
        state.getCompletionsByPrompt().forEach((prompt, pc) -> out.put(prompt,
                new CompletionMmd.PromptSamples(tokens(pc.getEndpoint()), tokens(pc.getReference()))));
        return out;
    }

    private static List<List<String>> tokens(List<CompletionSample> samples) {
        return samples.stream().map(CompletionSample::getTokens).toList();
    }

    /** The endpoint's window of one prompt with a new completion; a re-sent sample_id is kept once. */
    private List<CompletionSample> appended(List<CompletionSample> window, String sampleId, List<String> tokens) {
        List<CompletionSample> out = new ArrayList<>(window);
        if (out.stream().noneMatch(s -> s.getSampleId().equals(sampleId))) {
            out.add(new CompletionSample(sampleId, new ArrayList<>(tokens)));
        }
        int cap = params.fidelity().sampleTest().samplesPerPrompt();
        while (out.size() > cap) {
            out.remove(0);
        }
        return out;
    }

    private static double mean(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).average().orElse(0.0);
    }
}
