package dev.tokenarena.scoring;

import dev.tokenarena.schemas.DeadLetters;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undecodable input goes to the DLQ and processing continues (a poison record never blocks a
 * partition). Uses the KIP-1034 route of Kafka Streams 4.x: the handler returns
 * {@link Response#resume(List)} with the dead-letter record, and Streams produces it in the same
 * transaction as the task's other output, so under exactly_once_v2 a record is never both lost
 * and skipped. We build the record ourselves (not via {@code errors.dead.letter.queue.topic.name})
 * so it carries the project's reason headers ({@link DeadLetters}) and goes to the namespaced DLQ
 * of a replay.
 *
 * <p>Logs topic/partition/offset of the first {@value #LOG_FIRST} dead letters per topic, then
 * every {@value #LOG_EVERY}th, without payloads: a flood of garbage cannot flood the log.
 * Configured through the streams properties: {@link #DLQ_TOPIC_CONFIG} and {@link #COUNTER_CONFIG}
 * (a shared {@link DeadLetterCounter} instance; a private one when absent).
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

    /** The DLQ topic to write to. */
    public static final String DLQ_TOPIC_CONFIG = "arena.scoring.dlq.topic";
    /** A {@link DeadLetterCounter} instance (not a class name) to count into. */
    public static final String COUNTER_CONFIG = "arena.scoring.dlq.counter";
    static final int LOG_FIRST = 10;
    static final int LOG_EVERY = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String dlqTopic = dev.tokenarena.schemas.Topics.DLQ.name();
    private DeadLetterCounter counter = new DeadLetterCounter();

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC_CONFIG);
        if (topic instanceof String t && !t.isBlank()) {
            dlqTopic = t;
        }
        Object c = configs.get(COUNTER_CONFIG);
        if (c instanceof DeadLetterCounter shared) {
            counter = shared;
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        String reason = "cannot deserialize: " + exception.getClass().getSimpleName() + ": " + exception.getMessage();
        long n = counter.increment(record.topic());
        if (n <= LOG_FIRST || n % LOG_EVERY == 0) {
            LOG.warn("dead letter #{} from {}-{}@{} ({} bytes) to {}: {}", n, record.topic(), record.partition(),
                    record.offset(), record.value() == null ? 0 : record.value().length, dlqTopic,
                    DeadLettersText.cap(reason));
        }
        ProducerRecord<byte[], byte[]> dl = DeadLetters.record(ScoringTopology.COMPONENT, record.topic(),
                record.partition(), record.offset(), record.key(), record.value(), reason);
        return Response.resume(List.of(new ProducerRecord<>(dlqTopic, null, dl.key(), dl.value(), dl.headers())));
    }

    DeadLetterCounter counter() {
        return counter;
    }
}
