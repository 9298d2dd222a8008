package dev.tokenarena.scoring;

import dev.tokenarena.schemas.DeadLetters;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalid branch of a validated input: turns a record that decoded but cannot be scored into
 * a dead letter (key and value bytes, reason and source headers) and counts it in the
 * {@code invalid-records-total} metric of group {@code stream-arena-scoring-metrics}. The value
 * bytes are the record re-encoded with its registered schema: the decoded record is all a
 * processor sees, and it is equal in content to what arrived. A record read from one of our
 * repartition topics names the input topic it came from as its source (partition and offset -1:
 * the input coordinates are not carried through the repartition; the reason says where it was read).
 */
final class InvalidRecordDiverter<V> implements Processor<String, V, String, byte[]> {

    static final String METRIC_SCOPE = "arena-scoring";
    static final String METRIC_OPERATION = "invalid-records";
    private static final Logger LOG = LoggerFactory.getLogger(InvalidRecordDiverter.class);

    private final Validation.Validator<V> validator;
    private final Serializer<V> serializer;
    private final String topic;
    private ProcessorContext<String, byte[]> context;
    private Sensor sensor;
    private long seen;

    InvalidRecordDiverter(Validation.Validator<V> validator, Serializer<V> serializer, String topic) {
        this.validator = validator;
        this.serializer = serializer;
        this.topic = topic;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.sensor = context.metrics().addRateTotalSensor(METRIC_SCOPE, context.taskId() + "-" + topic,
                METRIC_OPERATION, Sensor.RecordingLevel.INFO, "source-topic", topic,
                "task-id", context.taskId().toString());
    }

    @Override
    public void process(Record<String, V> record) {
        String reason = validator.reason(record.key(), record.value());
        if (reason == null) {
            reason = "invalid record";
        }
        String sourceTopic = context.recordMetadata().map(RecordMetadata::topic).orElse(topic);
        int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        if (!topic.equals(sourceTopic)) {
            // read from one of our repartition topics: name the input topic the record belongs to
            // (where an operator would publish it again), and keep where it was read in the reason
            reason = reason + " (read from " + sourceTopic + "-" + partition + "@" + offset + ")";
            sourceTopic = topic;
            partition = -1;
            offset = -1L;
        }
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = record.value() == null ? null : serializer.serialize(sourceTopic, record.value());
        ProducerRecord<byte[], byte[]> dl = DeadLetters.record(ScoringTopology.COMPONENT, sourceTopic, partition,
                offset, key, value, reason);
        sensor.record();
        seen++;
        if (seen <= DeadLetterHandler.LOG_FIRST || seen % DeadLetterHandler.LOG_EVERY == 0) {
            LOG.warn("invalid record #{} of task {} from {}-{}@{} to the DLQ: {}", seen, context.taskId(), sourceTopic,
                    partition, offset, DeadLettersText.cap(reason));
        }
        context.forward(new Record<>(record.key(), value, record.timestamp(), dl.headers()));
    }
}
