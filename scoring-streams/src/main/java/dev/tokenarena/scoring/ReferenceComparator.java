package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.scoring.avro.FidelityObservation;
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
 * replace it. Samples without logprobs, or with no comparable position, yield nothing.
 */
final class ReferenceComparator implements Processor<String, TaggedFingerprint, String, FidelityObservation> {

    private final String referenceStoreName;
    private final String noiseStoreName;
    private final double epsilon;
    private ProcessorContext<String, FidelityObservation> context;
    private KeyValueStore<String, FingerprintSample> references;
    private KeyValueStore<String, Double> noise;

    ReferenceComparator(String referenceStoreName, String noiseStoreName, double epsilon) {
        this.referenceStoreName = referenceStoreName;
        this.noiseStoreName = noiseStoreName;
        this.epsilon = epsilon;
    }

    @Override
    public void init(ProcessorContext<String, FidelityObservation> context) {
        this.context = context;
        this.references = context.getStateStore(referenceStoreName);
        this.noise = context.getStateStore(noiseStoreName);
    }

    @Override
    public void process(Record<String, TaggedFingerprint> record) {
        TaggedFingerprint tagged = record.value();
        if (tagged == null || !tagged.sample().getLogprobsAvailable()) {
            return;
        }
        FingerprintSample sample = tagged.sample();
        FingerprintSample reference = references.get(record.key());
        if (tagged.reference()) {
            if (reference == null || sample.getSampledAtMs() >= reference.getSampledAtMs()) {
                references.put(record.key(), sample);
            }
            if (reference == null || reference.getSampleId().equals(sample.getSampleId())) {
                return;
            }
            FidelityMath.Comparison c = FidelityMath.compare(sample.getPositions(), reference.getPositions(), epsilon);
            if (c.positions() == 0) {
                return;
            }
            noise.put(record.key(), c.meanSkl());
            forward(record, sample, true, c, c.meanSkl());
            return;
        }
        if (reference == null) {
            return;
        }
        FidelityMath.Comparison c = FidelityMath.compare(sample.getPositions(), reference.getPositions(), epsilon);
        if (c.positions() > 0) {
            forward(record, sample, false, c, noise.get(record.key()));
        }
    }

    private void forward(Record<String, TaggedFingerprint> record, FingerprintSample sample, boolean reference,
                         FidelityMath.Comparison c, Double noiseSkl) {
        FidelityObservation obs = FidelityObservation.newBuilder()
                .setEndpointId(sample.getEndpointId()).setModel(sample.getModel())
                .setPromptId(sample.getPromptId()).setReference(reference)
                .setSkl(c.meanSkl()).setPositions(c.positions()).setNoiseSkl(noiseSkl)
                .setSampledAtMs(sample.getSampledAtMs()).build();
        context.forward(new Record<>(sample.getEndpointId(), obs, record.timestamp(), record.headers()));
    }
}
