package dev.tokenarena.schemas;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * One topic of the catalogue: its name, the Avro value type (null for raw bytes), partitions and
 * retention. Every module, test and manifest takes topic facts from here, never from a literal.
 *
 * @param name topic name
 * @param valueType generated Avro class of the value, or {@code null} for raw bytes (the DLQ)
 * @param keyDoc what the key holds (every key is a UTF-8 string)
 * @param partitions partition count; topics keyed by endpoint_id share it so they co-partition
 * @param compacted true for log compaction (latest value per key), false for time retention
 * @param retentionMs retention in milliseconds for non-compacted topics, -1 for unlimited
 */
public record TopicSpec<V>(String name, Class<V> valueType, String keyDoc, int partitions,
                           boolean compacted, long retentionMs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
        }
    }

    /** The value type as an Optional; empty for raw-bytes topics. */
    public Optional<Class<V>> avroType() {
        return Optional.ofNullable(valueType);
    }

    /** Topic-level configs to create the topic with. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        if (compacted) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        }
        return configs;
    }

    /** The admin-client request that creates this topic with the given replication factor. */
    public NewTopic newTopic(short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor).configs(configs());
    }

    /** The Confluent TopicNameStrategy subject of this topic's values. */
    public String valueSubject() {
        return name + "-value";
    }
}
