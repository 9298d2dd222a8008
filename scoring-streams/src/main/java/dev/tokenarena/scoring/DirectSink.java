package dev.tokenarena.scoring;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A replay's stand-in for a sink node: serializes key and value for the topic as the sink would
 * (same serializers, same topic name, so the same schema ids and bytes) and hands them with the
 * record's timestamp and headers to the replay's output (see
 * {@link ScoringTopology#buildReplayScoringStage}), or from a replay's probe stage to its scoring
 * stage (see {@link ScoringTopology#buildReplayProbeStage}).
 */
final class DirectSink<V> implements Processor<String, V, Void, Void> {

    private final String topic;
    private final Serializer<String> keys;
    private final Serializer<V> values;
    private final ScoringTopology.DirectOutput output;

    DirectSink(String topic, Serializer<String> keys, Serializer<V> values, ScoringTopology.DirectOutput output) {
        this.topic = topic;
        this.keys = keys;
        this.values = values;
        this.output = output;
    }

    @Override
    public void process(Record<String, V> record) {
        byte[] key = keys.serialize(topic, record.headers(), record.key());
        byte[] value = values.serialize(topic, record.headers(), record.value());
        output.send(topic, key, value, record.timestamp(), record.headers());
    }
}
