package dev.tokenarena.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log on a compacted, single-partition Kafka topic. A reader thread consumes the
 * topic from the beginning without a consumer group (every server must see every record, and
 * there is no offset worth committing) and applies each record; writers produce with
 * {@code acks=all} and an idempotent producer, then wait until the reader has passed their
 * offset. One partition gives one total order, which is what makes versions and ids
 * reproducible on replay.
 */
final class KafkaSchemaLog implements SchemaLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaLog.class);

    private final String topic;
    private final TopicPartition partition;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final BiConsumer<byte[], byte[]> applier;
    private final Duration timeout;
    private final Thread reader;
    private final Object progress = new Object();
    private long appliedUpTo; // next offset the reader will apply; guarded by progress
    private volatile String readerFailure;
    private volatile boolean running = true;

    private KafkaSchemaLog(String bootstrapServers, String topic, BiConsumer<byte[], byte[]> applier,
                           Duration timeout) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.applier = applier;
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(producerProps(bootstrapServers, timeout));
        this.consumer = new KafkaConsumer<>(consumerProps(bootstrapServers));
        this.reader = new Thread(this::readLoop, "arena-registry-reader-" + topic);
        this.reader.setDaemon(true);
    }

    /**
     * Ensures the topic exists as compacted with one partition, then reads it to its end offset
     * before returning, so the first answer already reflects every stored schema.
     *
     * @throws IllegalStateException naming the topic and what to change when it cannot start
     */
    static KafkaSchemaLog open(String bootstrapServers, String topic, BiConsumer<byte[], byte[]> applier,
                               Duration timeout) {
        ensureTopic(bootstrapServers, topic, timeout);
        KafkaSchemaLog log = new KafkaSchemaLog(bootstrapServers, topic, applier, timeout);
        try {
            log.consumer.assign(List.of(log.partition));
            log.consumer.seekToBeginning(List.of(log.partition));
            long end = log.consumer.endOffsets(List.of(log.partition), timeout).get(log.partition);
            log.reader.start();
            log.awaitApplied(end, "read the storage topic to its end offset " + end + " at startup");
            LOG.info("schema registry caught up with {} at offset {}", topic, end);
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw new IllegalStateException("schema registry cannot load its storage topic " + topic + " from "
                    + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void append(byte[] key, byte[] value) {
        RecordMetadata written;
        try {
            written = producer.send(new ProducerRecord<>(topic, 0, key, value))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.store("interrupted while writing to " + topic);
        } catch (ExecutionException e) {
            throw RegistryError.store("cannot write to " + topic + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw RegistryError.store("no acknowledgement from " + topic + " within " + timeout.toMillis() + " ms");
        }
        try {
            awaitApplied(written.offset() + 1, "apply offset " + written.offset() + " of " + topic);
        } catch (IllegalStateException e) {
            throw RegistryError.store(e.getMessage());
        }
    }

    private void awaitApplied(long offset, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (appliedUpTo < offset) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0 || !running) {
                    String failure = readerFailure;
                    throw new IllegalStateException("could not " + what + " within " + timeout.toMillis() + " ms"
                            + (failure == null ? "" : " (reader: " + failure + ")"));
                }
                try {
                    progress.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting to " + what);
                }
            }
        }
    }

    private void readLoop() {
        while (running) {
            try {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        applier.accept(record.key(), record.value());
                    } catch (RuntimeException e) {
                        // The position is already past this batch: skip the one bad record, keep the rest.
                        LOG.error("skipping unusable record at {}-{} offset {}", topic, 0, record.offset(), e);
                    }
                }
                long position = consumer.position(partition);
                readerFailure = null;
                synchronized (progress) {
                    appliedUpTo = position;
                    progress.notifyAll();
                }
            } catch (WakeupException e) {
                break;
            } catch (RuntimeException e) {
                // Keep following: a broker outage must not end the registry; waiters time out with this reason.
                if (!e.toString().equals(readerFailure)) {
                    LOG.warn("storage topic reader for {} failed, retrying: {}", topic, e.toString());
                }
                readerFailure = e.toString();
            }
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        // The consumer is not thread-safe: the thread that polls it closes it.
        consumer.close();
    }

    private static void ensureTopic(String bootstrapServers, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "arena-registry-admin");
        try (Admin admin = Admin.create(props)) {
            long ms = timeout.toMillis();
            if (!admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS).contains(topic)) {
                int brokers = admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS).size();
                short replication = (short) Math.max(1, Math.min(3, brokers));
                NewTopic newTopic = new NewTopic(topic, 1, replication).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(ms, TimeUnit.MILLISECONDS);
                    LOG.info("created storage topic {} (compacted, 1 partition, replication {})", topic, replication);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            verify(admin, topic, ms);
        } catch (ExecutionException e) {
            throw new IllegalStateException("schema registry cannot prepare storage topic " + topic + " on "
                    + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("schema registry: no answer from Kafka at " + bootstrapServers
                    + " within " + timeout.toMillis() + " ms; check --bootstrap", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing storage topic " + topic, e);
        }
    }

    /** A deleted-retention or multi-partition topic would silently lose or reorder schemas: refuse to start. */
    private static void verify(Admin admin, String topic, long ms)
            throws ExecutionException, TimeoutException, InterruptedException {
        TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                .get(ms, TimeUnit.MILLISECONDS).get(topic);
        if (description.partitions().size() != 1) {
            throw new IllegalStateException("storage topic " + topic + " has " + description.partitions().size()
                    + " partitions; the registry needs exactly 1 for a total order of schemas");
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(Set.of(resource)).all().get(ms, TimeUnit.MILLISECONDS).get(resource);
        String policy = Optional.ofNullable(config.get(TopicConfig.CLEANUP_POLICY_CONFIG)).map(ConfigEntry::value)
                .orElse("");
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            throw new IllegalStateException("storage topic " + topic + " has cleanup.policy=" + policy
                    + "; it must be compact or time retention would delete registered schemas");
        }
    }

    private static Properties producerProps(String bootstrapServers, Duration timeout) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        int requestMs = (int) Math.min(timeout.toMillis(), 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestMs);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), requestMs));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "arena-registry-writer");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    private static Properties consumerProps(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "arena-registry-reader");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (reader.isAlive()) {
            try {
                reader.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            // The reader never started (startup failed before it): close the consumer here.
            consumer.close();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
