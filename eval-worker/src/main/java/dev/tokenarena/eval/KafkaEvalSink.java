package dev.tokenarena.eval;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes eval results and fingerprints keyed by endpoint_id, Avro in the Confluent wire
 * format. One idempotent producer with {@code acks=all}: no duplicates from producer retries, no
 * loss on a leader change. Sends are asynchronous; a failed send is counted and logged (the first
 * of each 100, so a broker outage does not flood the log).
 */
public final class KafkaEvalSink implements EvalSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaEvalSink.class);

    private final Producer<String, byte[]> producer;
    private final AvroWireSerde<EvalItemResult> results;
    private final AvroWireSerde<FingerprintSample> fingerprints;
    private final AtomicLong failed = new AtomicLong();

    public KafkaEvalSink(String bootstrapServers, SchemaRegistryClient registry) {
        this(new KafkaProducer<>(producerConfig(bootstrapServers), new StringSerializer(), new ByteArraySerializer()),
                registry);
    }

    /** For tests (MockProducer) and callers that manage their own producer. */
    public KafkaEvalSink(Producer<String, byte[]> producer, SchemaRegistryClient registry) {
        this.producer = producer;
        this.results = AvroWireSerde.forTopic(Topics.EVAL_RESULTS, registry);
        this.fingerprints = AvroWireSerde.forTopic(Topics.EVAL_FINGERPRINTS, registry);
    }

    /** The producer settings this sink relies on. */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "arena-eval-worker");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return props;
    }

    @Override
    public void accept(EvalItemResult result) {
        String topic = Topics.EVAL_RESULTS.name();
        producer.send(new ProducerRecord<>(topic, result.getEndpointId(), results.encode(topic, result)), callback(topic));
    }

    @Override
    public void accept(FingerprintSample sample) {
        String topic = Topics.EVAL_FINGERPRINTS.name();
        producer.send(new ProducerRecord<>(topic, sample.getEndpointId(), fingerprints.encode(topic, sample)),
                callback(topic));
    }

    /** Sends that failed after the producer's own retries, count. */
    public long failedSends() {
        return failed.get();
    }

    private Callback callback(String topic) {
        return (metadata, exception) -> {
            if (exception != null) {
                long n = failed.incrementAndGet();
                if (n % 100 == 1) {
                    log.error("send to {} failed ({} failed so far): {}", topic, n, exception.toString());
                }
            }
        };
    }

    @Override
    public void close() {
        producer.flush();
        producer.close(Duration.ofSeconds(10));
    }
}
