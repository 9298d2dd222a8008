package dev.tokenarena.scoring;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Drops a replay's clock ticks ({@link ScoringTopology#REPLAY_CLOCK_HEADER}) from the probe stage's
 * input after they have moved its stream time on; every other record passes. Only in a replay's
 * probe stage: the live topology has no such filter, so a record with that header there is
 * validated like any other.
 */
final class ReplayClockFilter<V> implements FixedKeyProcessor<String, V, V> {

    private FixedKeyProcessorContext<String, V> context;

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        if (record.headers().lastHeader(ScoringTopology.REPLAY_CLOCK_HEADER) == null) {
            context.forward(record);
        }
    }
}
