package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.scoring.avro.CompletionSample;
import dev.tokenarena.scoring.avro.FidelityObservation;
import dev.tokenarena.scoring.avro.ReferenceCompletions;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by (model, prompt): keeps the latest reference sample of each prompt and compares every
 * sample with it. A reference sample is compared with the previous reference sample instead:
 * that is the reference's own run-to-run variation, the noise floor every threshold is read
 * against. Output is re-keyed by endpoint_id.
 *
 * <pre>
 * time | sample          | stored reference | output
 * t1   | ref R1          | -      -> R1     | nothing (no previous reference)
 * t2   | endpoint E1     | R1               | SKL(E1, R1), noise = none
 * t3   | ref R2          | R1     -> R2     | SKL(R2, R1) as ref's own, noise = SKL(R2, R1)
 * t4   | endpoint E2     | R2               | SKL(E2, R2), noise = SKL(R2, R1)
 * </pre>
 * A sample older (in event time) than the stored reference is still compared, but does not
 * replace it. A sample with logprobs and no comparable position yields nothing.
 *
 * <p>For the sample-only test, the reference's latest {@code samples_per_prompt} completions of
 * the prompt (whitespace tokens, in arrival order, a re-sent sample_id kept once) are kept too and
 * travel with every endpoint observation. When the sample or the stored reference has no
 * logprobs, the observation carries positions = 0 (no SKL) and the completions only; a reference
 * sample without logprobs is forwarded that way too, so the reference is still known as such.
 */
final class ReferenceComparator implements Processor<String, TaggedFingerprint, String, FidelityObservation> {

    /** No SKL: the sample or its reference came without logprobs. */
    private static final FidelityMath.Comparison NO_SKL = new FidelityMath.Comparison(0.0, 0);

    private final String referenceStoreName;
    private final String noiseStoreName;
    private final String completionsStoreName;
    private final double epsilon;
    private final int length;
    private final int samplesPerPrompt;
    private ProcessorContext<String, FidelityObservation> context;
    private KeyValueStore<String, FingerprintSample> references;
    private KeyValueStore<String, Double> noise;
    private KeyValueStore<String, ReferenceCompletions> completions;

    ReferenceComparator(String referenceStoreName, String noiseStoreName, String completionsStoreName,
                        ScoringParams.Fidelity params) {
        this.referenceStoreName = referenceStoreName;
        this.noiseStoreName = noiseStoreName;
        this.completionsStoreName = completionsStoreName;
        this.epsilon = params.smoothingEpsilon();
        this.length = params.sampleTest().length();
        this.samplesPerPrompt = params.sampleTest().samplesPerPrompt();
    }

    @Override
    public void init(ProcessorContext<String, FidelityObservation> context) {
        this.context = context;
        this.references = context.getStateStore(referenceStoreName);
        this.noise = context.getStateStore(noiseStoreName);
        this.completions = context.getStateStore(completionsStoreName);
    }

    @Override
    public void process(Record<String, TaggedFingerprint> record) {
        TaggedFingerprint tagged = record.value();
        if (tagged == null) {
            return;
        }
        FingerprintSample sample = tagged.sample();
        FingerprintSample reference = references.get(record.key());
        List<String> tokens = CompletionMmd.tokens(sample.getCompletion(), length);
        if (tagged.reference()) {
            if (reference == null || sample.getSampledAtMs() >= reference.getSampledAtMs()) {
                references.put(record.key(), sample);
            }
            completions.put(record.key(), appended(completions.get(record.key()), sample.getSampleId(), tokens));
            if (!sample.getLogprobsAvailable()) {
                forward(record, sample, true, NO_SKL, null, tokens, List.of());
                return;
            }
            if (reference == null || reference.getSampleId().equals(sample.getSampleId())
                    || !reference.getLogprobsAvailable()) {
                return;
            }
            FidelityMath.Comparison c = FidelityMath.compare(sample.getPositions(), reference.getPositions(), epsilon);
            if (c.positions() == 0) {
                return;
            }
            noise.put(record.key(), c.meanSkl());
            forward(record, sample, true, c, c.meanSkl(), tokens, List.of());
            return;
        }
        if (reference == null) {
            return;
        }
        ReferenceCompletions refs = completions.get(record.key());
        List<CompletionSample> refSamples = refs == null ? List.of() : refs.getSamples();
        if (!sample.getLogprobsAvailable() || !reference.getLogprobsAvailable()) {
            forward(record, sample, false, NO_SKL, noise.get(record.key()), tokens, refSamples);
            return;
        }
        FidelityMath.Comparison c = FidelityMath.compare(sample.getPositions(), reference.getPositions(), epsilon);
        if (c.positions() > 0) {
            forward(record, sample, false, c, noise.get(record.key()), tokens, refSamples);
        }
    }

    /** The window with a new completion at the end, the oldest dropped beyond the cap; a known id is kept once. */
    private ReferenceCompletions appended(ReferenceCompletions window, String sampleId, List<String> tokens) {
        List<CompletionSample> samples = new ArrayList<>(window == null ? List.of() : window.getSamples());
        if (samples.stream().noneMatch(s -> s.getSampleId().equals(sampleId))) {
            samples.add(new CompletionSample(sampleId, new ArrayList<>(tokens)));
        }
        while (samples.size() > samplesPerPrompt) {
            samples.remove(0);
        }
        return new ReferenceCompletions(samples);
    }

    private void forward(Record<String, TaggedFingerprint> record, FingerprintSample sample, boolean reference,
                         FidelityMath.Comparison c, Double noiseSkl, List<String> tokens,
                         List<CompletionSample> referenceCompletions) {
        FidelityObservation obs = FidelityObservation.newBuilder()
                .setEndpointId(sample.getEndpointId()).setModel(sample.getModel())
                .setPromptId(sample.getPromptId()).setReference(reference)
                .setSkl(c.meanSkl()).setPositions(c.positions()).setNoiseSkl(noiseSkl)
                .setSampledAtMs(sample.getSampledAtMs()).setSampleId(sample.getSampleId())
                .setCompletionTokens(new ArrayList<>(tokens))
                .setReferenceCompletions(new ArrayList<>(referenceCompletions)).build();
        context.forward(new Record<>(sample.getEndpointId(), obs, record.timestamp(), record.headers()));
    }
}
