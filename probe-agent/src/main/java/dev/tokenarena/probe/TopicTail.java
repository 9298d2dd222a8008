package dev.tokenarena.probe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Which of some probe ids are already in the results topic. The spool drainer asks before it
 * resends records whose earlier send may have reached Kafka (a failed or timed-out batch, or a
 * restart between Kafka's ack and the spool commit). Implementations throw when Kafka cannot
 * be read; the drainer then waits and asks again.
 */
@FunctionalInterface
interface TopicTail {

    /** The subset of {@code probeIds} found in the topic's recent records. */
    Set<String> present(Collection<String> probeIds);

    /** Header that carries a result's probe_id, so the scan needs neither the registry nor Avro. */
    String PROBE_ID_HEADER = "probe_id";

    /**
     * Reads the last {@code recordsPerPartition} records of every partition of {@code topic},
     * headers only. Bounded: it never reads more than that, and gives up after {@code timeout}.
     */
    static TopicTail kafka(String bootstrapServers, String topic, int recordsPerPartition, Duration timeout) {
        return probeIds -> {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, "probe-spool-dedupe");
            props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout.toMillis()));
            props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout.toMillis()));
            Set<String> wanted = new HashSet<>(probeIds);
            Set<String> found = new HashSet<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
                Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, timeout);
                Map<TopicPartition, Long> remaining = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    long endOffset = ends.get(tp);
                    long from = Math.max(begins.get(tp), endOffset - recordsPerPartition);
                    if (from < endOffset) {
                        remaining.put(tp, endOffset);
                    }
                }
                consumer.assign(remaining.keySet());
                for (TopicPartition tp : remaining.keySet()) {
                    consumer.seek(tp, Math.max(begins.get(tp), remaining.get(tp) - recordsPerPartition));
                }
                while (!remaining.isEmpty()) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new org.apache.kafka.common.errors.TimeoutException(
                                "dedupe scan of " + topic + " did not reach the end within " + timeout.toMillis() + " ms");
                    }
                    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                        Header h = rec.headers().lastHeader(PROBE_ID_HEADER);
                        if (h != null) {
                            String id = new String(h.value(), StandardCharsets.UTF_8);
                            if (wanted.contains(id)) {
                                found.add(id);
                            }
                        }
                    }
                    remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                }
            }
            return found;
        };
    }
}
