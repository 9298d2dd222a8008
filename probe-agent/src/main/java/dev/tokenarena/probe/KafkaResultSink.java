package dev.tokenarena.probe;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes results to {@code arena.probe.results.v1}, keyed by endpoint_id, in the Confluent
 * wire format. Idempotent producer with {@code acks=all}: a retried batch is never duplicated
 * and a result is only acknowledged once every in-sync replica has it. Failures are counted and
 * logged at most once a minute; they never reach the probing threads.
 */
public final class KafkaResultSink implements ResultSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaResultSink.class);

    private final Producer<String, ProbeResult> producer;
    private final String topic = Topics.PROBE_RESULTS.name();
    private final ThrottledLog warnings = new ThrottledLog(LOG, Ticker.SYSTEM, TimeUnit.MINUTES.toNanos(1));
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param producerOverrides extra producer settings (client.id, linger.ms, ...); the settings
     *                          that make delivery safe are forced after them
     */
    public KafkaResultSink(String bootstrapServers, SchemaRegistryClient registry, Map<String, Object> producerOverrides) {
        Map<String, Object> props = new HashMap<>(producerOverrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry).serializer());
    }

    /** A sink from the agent's config: its bootstrap servers, client id = agent id. */
    public static KafkaResultSink create(ProbeAgentConfig config, SchemaRegistryClient registry) {
        return new KafkaResultSink(config.bootstrapServers(), registry,
                Map.of(ProducerConfig.CLIENT_ID_CONFIG, "probe-agent-" + config.agentId()));
    }

    @Override
    public void accept(ProbeResult result) {
        try {
            producer.send(new ProducerRecord<>(topic, result.getEndpointId(), result), (metadata, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    warnings.warn("send", "cannot publish a probe result to " + topic + ": " + error
                            + " (" + failed.get() + " failed so far)");
                }
            });
        } catch (RuntimeException e) {
            // Serialization, registry or buffer-full errors surface here, synchronously.
            failed.incrementAndGet();
            warnings.warn("send", "cannot publish a probe result to " + topic + ": " + e
                    + " (" + failed.get() + " failed so far)");
        }
    }

    /** Results the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Results that could not be published. */
    public long failed() {
        return failed.get();
    }

    /** Waits for buffered results to be sent. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
