package dev.tokenarena.standalone;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.scoring.ScoringTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The read side the everyday commands share ({@code arena alerts tail}, {@code arena
 * leaderboard}): one topic, every partition assigned (no consumer group, nothing committed, so a
 * look never moves anyone's offsets), live or replayed under a namespace.
 */
final class TopicReader {

    private TopicReader() {
    }

    /** The topic's name, or its replay output {@code <topic>.<namespace>}; the namespace is checked. */
    static String topic(TopicSpec<?> topic, String namespace) {
        if (namespace != null && !namespace.isEmpty() && !ScoringTopology.isNamespace(namespace)) {
            throw new ArenaCli.BadInputException("--as " + namespace + ": " + ScoringTopology.NAMESPACE_RULE);
        }
        return ScoringTopology.outputTopic(topic, namespace);
    }

    /** A consumer with no group, assigned to every partition of {@code topic}. */
    static KafkaConsumer<String, byte[]> assigned(String bootstrap, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000),
                new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new ArenaCli.BadInputException("topic " + topic + " does not exist at " + bootstrap
                        + " (create the topics with arena topics; a replay namespace needs --as NAME)");
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : infos) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(parts);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }
}
