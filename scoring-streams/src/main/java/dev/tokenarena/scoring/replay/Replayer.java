package dev.tokenarena.scoring.replay;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.scoring.DeadLetterCounter;
import dev.tokenarena.scoring.DeadLetterHandler;
import dev.tokenarena.scoring.EventTimeExtractor;
import dev.tokenarena.scoring.ScoringTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import dev.tokenarena.schemas.admin.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-scores event time [from, to) of the input topics under other scoring params into an output
 * namespace ({@code arena replay --from T1 --to T2 --config FILE --as NAME}).
 *
 * <p>How: the input partitions are read from Kafka up to their end offsets at the start
 * (read_committed) and merged into one sequence by (event time, topic, partition, offset) of
 * each partition's next record; event topics (probe, eval, fingerprint results) keep records with
 * from &lt;= event time &lt; to, table topics (endpoints, prices, hardware, grid) keep records with
 * event time &lt; to (the catalogue as it stood). The sequence runs through the scoring topology
 * in a {@link TopologyTestDriver}: one task on one thread, repartition topics handed on in
 * process, so the same input and params give the same output records in the same order (keys,
 * values, timestamps, headers), which a multi-threaded Kafka Streams run does not promise.
 * At the end, stream time is moved to {@code to} and one emit interval past it with two
 * null-key markers on the endpoints table (dropped by the table source, never scored), so the
 * last composites and leaderboards are emitted. Outputs are produced to {@code <topic>.NAME},
 * partitioned by key like the live app.
 */
public final class Replayer {

    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);

    /** Latest value per key: kept up to {@code to}, so the replay starts from the catalogue as it stood. */
    static final List<TopicSpec<?>> TABLE_INPUTS = List.of(Topics.ENDPOINTS, Topics.PRICES, Topics.HARDWARE,
            Topics.GRID);
    /** Measurements: kept in [from, to). */
    static final List<TopicSpec<?>> EVENT_INPUTS = List.of(Topics.PROBE_RESULTS, Topics.EVAL_RESULTS,
            Topics.EVAL_FINGERPRINTS);
    static final List<TopicSpec<?>> OUTPUTS = List.of(Topics.COMPOSITES, Topics.LEADERBOARD, Topics.ALERTS,
            Topics.DLQ);
    /** Records buffered per input partition while merging; bounds memory at about 42 x this. */
    static final int BUFFER_PER_PARTITION = 2_000;
    static final int PROGRESS_EVERY = 10_000;
    private static final Duration POLL = Duration.ofMillis(200);

    private final SchemaRegistryClient registry;

    public Replayer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Runs the replay to completion; throws IllegalStateException when the namespace already holds output. */
    public ReplayResult run(ReplayRequest req) {
        long from = req.from().toEpochMilli();
        long to = req.to().toEpochMilli();
        String ns = req.namespace();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, req.bootstrapServers()))) {
            createOutputs(admin, req.bootstrapServers(), ns);
        }
        Path state;
        try {
            Files.createDirectories(req.workDir());
            state = Files.createTempDirectory(req.workDir(), "replay-" + ns + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the replay state directory under " + req.workDir(), e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "arena-replay-" + ns);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay.invalid:9092"); // the driver connects to nothing
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.putAll(ScoringTopology.replayDriverConfig());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(DeadLetterHandler.DLQ_TOPIC_CONFIG, ScoringTopology.outputTopic(Topics.DLQ, ns));
        props.put(DeadLetterHandler.COUNTER_CONFIG, new DeadLetterCounter());
        Map<String, Long> written = new LinkedHashMap<>();
        for (TopicSpec<?> t : OUTPUTS) {
            written.put(ScoringTopology.outputTopic(t, ns), 0L);
        }
        long[] counts = new long[2]; // read, replayed
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, req.bootstrapServers(),
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                     ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, req.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                     ProducerConfig.LINGER_MS_CONFIG, 20),
                     new ByteArraySerializer(), new ByteArraySerializer());
             // composites, leaderboards and alerts come straight from the topology, in the order made
             TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.buildForReplay(req.params(), registry,
                     ns, (topic, key, value, ts, headers) -> {
                         // the producer makes headers read-only; the topology's own object stays writable
                         producer.send(new ProducerRecord<>(topic, null, ts, key, value,
                                 new RecordHeaders(headers.toArray())));
                         written.merge(topic, 1L, Long::sum);
                     }), props, Instant.EPOCH)) {
            Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
            for (TopicSpec<?> t : Stream.concat(TABLE_INPUTS.stream(), EVENT_INPUTS.stream()).toList()) {
                inputs.put(t.name(), driver.createInputTopic(t.name(), new ByteArraySerializer(), new ByteArraySerializer()));
            }
            String dlq = ScoringTopology.outputTopic(Topics.DLQ, ns);
            // only dead letters still come through the driver's producer
            TestOutputTopic<byte[], byte[]> deadLetters = driver.createOutputTopic(dlq, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            Merge merge = new Merge(consumer);
            req.progress().update(0, merge.total);
            ConsumerRecord<byte[], byte[]> r;
            while ((r = merge.next()) != null) {
                counts[0]++;
                long t = merge.lastEventTime;
                boolean table = merge.lastTopicIndex < TABLE_INPUTS.size();
                if (t < to && (table || t >= from)) {
                    long ts = r.timestamp() >= 0 ? r.timestamp() : t;
                    inputs.get(r.topic()).pipeInput(new TestRecord<>(r.key(), r.value(), r.headers(),
                            Instant.ofEpochMilli(ts)));
                    counts[1]++;
                    drain(deadLetters, dlq, producer, written, ts);
                }
                if (counts[0] % PROGRESS_EVERY == 0) {
                    req.progress().update(counts[0], merge.total);
                }
            }
            // flush stream time: to `to` (emits every window whose bucket closed by then), one
            // wall-clock emit interval (the open buckets' figures, at a point fixed by the input),
            // then one emit interval of stream time on, so punctuations emit the last composites
            // and the leaderboards built from them
            TestInputTopic<byte[], byte[]> marker = inputs.get(Topics.ENDPOINTS.name());
            marker.pipeInput(new TestRecord<>(null, null, Instant.ofEpochMilli(to)));
            driver.advanceWallClockTime(req.params().emitInterval());
            marker.pipeInput(new TestRecord<>(null, null,
                    Instant.ofEpochMilli(to + req.params().emitInterval().toMillis())));
            drain(deadLetters, dlq, producer, written, to);
            producer.flush();
            req.progress().update(counts[0], merge.total);
        } finally {
            deleteTree(state);
        }
        LOG.info("replay '{}' of [{}, {}) read {} records, replayed {}, wrote {}", ns, req.from(), req.to(),
                counts[0], counts[1], written);
        return new ReplayResult(counts[0], counts[1], written, req.params().configHash());
    }

    /**
     * Moves the dead letters the last input produced to Kafka. Dead letters of undecodable records
     * are stamped by the producer's wall clock inside the driver; they get the input record's
     * timestamp instead, so a rerun writes the same bytes and timestamps.
     */
    private static void drain(TestOutputTopic<byte[], byte[]> deadLetters, String dlq,
                              KafkaProducer<byte[], byte[]> producer, Map<String, Long> written, long inputTimestamp) {
        if (deadLetters.isEmpty()) {
            return;
        }
        for (TestRecord<byte[], byte[]> rec : deadLetters.readRecordsToList()) {
            producer.send(new ProducerRecord<>(dlq, null, inputTimestamp, rec.key(), rec.value(), rec.headers()));
            written.merge(dlq, 1L, Long::sum);
        }
    }

    /** Creates the namespaced outputs like the catalogue's; refuses a namespace that already holds output. */
    private static void createOutputs(Admin admin, String bootstrapServers, String ns) {
        int brokers;
        try {
            brokers = admin.describeCluster().nodes().get().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot reach Kafka to create the replay outputs: " + e.getCause(), e);
        }
        short rf = (short) Math.min(3, Math.max(1, brokers));
        List<String> names = new ArrayList<>();
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec<?> t : OUTPUTS) {
            String name = ScoringTopology.outputTopic(t, ns);
            names.add(name);
            Map<String, String> configs = new HashMap<>(t.configs());
            if (!t.compacted()) {
                // replayed history is older than the live retention: time retention would delete
                // it at once, so a namespace keeps its output until it is deleted
                configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            }
            topics.add(new NewTopic(name, t.partitions(), rf).configs(configs));
        }
        TopicAdmin.createTopics(admin, topics, Duration.ofSeconds(30));
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String name : names) {
                List<TopicPartition> tps = partitions(probe, name);
                long records = 0;
                Map<TopicPartition, Long> begin = probe.beginningOffsets(tps);
                for (Map.Entry<TopicPartition, Long> e : probe.endOffsets(tps).entrySet()) {
                    records += e.getValue() - begin.get(e.getKey());
                }
                if (records > 0) {
                    throw new IllegalStateException("replay namespace '" + ns + "' already holds " + records
                            + " records in " + name + "; choose another --as NAME (replays never append)");
                }
            }
        }
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist; create the topics first (arena topics)");
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete replay state {}: {}", root, e.getMessage());
        }
    }

    /**
     * A deterministic merge of every input partition up to its end offset at the start: the next
     * record is the partition head with the smallest (event time, topic index, partition), so the
     * order depends only on the logs, never on how polls happen to batch.
     */
    private final class Merge {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicSpec<?>> topics = Stream.concat(TABLE_INPUTS.stream(), EVENT_INPUTS.stream()).toList();
        private final Map<TopicPartition, Long> end = new HashMap<>();
        private final Map<TopicPartition, ArrayDeque<Head>> buffers = new LinkedHashMap<>();
        private final Map<String, Integer> topicIndex = new HashMap<>();
        private final Map<String, AvroWireSerde<SpecificRecord>> serdes = new HashMap<>();
        private final EventTimeExtractor extractor = new EventTimeExtractor();
        final long total;
        long lastEventTime;
        int lastTopicIndex;

        private record Head(ConsumerRecord<byte[], byte[]> record, long eventTime) {
        }

        @SuppressWarnings("unchecked")
        Merge(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
            List<TopicPartition> all = new ArrayList<>();
            for (int i = 0; i < topics.size(); i++) {
                TopicSpec<?> t = topics.get(i);
                topicIndex.put(t.name(), i);
                serdes.put(t.name(), AvroWireSerde.forTopic((TopicSpec<SpecificRecord>) t, registry));
                all.addAll(partitions(consumer, t.name()));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(all);
            end.putAll(consumer.endOffsets(all));
            long sum = 0;
            for (TopicPartition tp : all) {
                sum += end.get(tp) - begin.get(tp);
                buffers.put(tp, new ArrayDeque<>());
            }
            this.total = sum;
        }

        private boolean needsData(TopicPartition tp) {
            return buffers.get(tp).isEmpty() && consumer.position(tp) < end.get(tp);
        }

        /** The next record of the merged sequence, null when every partition reached its end. */
        ConsumerRecord<byte[], byte[]> next() {
            while (buffers.keySet().stream().anyMatch(this::needsData)) {
                List<TopicPartition> pause = new ArrayList<>();
                List<TopicPartition> resume = new ArrayList<>();
                for (Map.Entry<TopicPartition, ArrayDeque<Head>> e : buffers.entrySet()) {
                    boolean fetch = e.getValue().size() < BUFFER_PER_PARTITION && consumer.position(e.getKey()) < end.get(e.getKey());
                    (fetch ? resume : pause).add(e.getKey());
                }
                consumer.pause(pause);
                consumer.resume(resume);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp)) {
                        buffers.get(tp).add(new Head(r, eventTime(r)));
                    }
                }
            }
            TopicPartition best = null;
            Head bestHead = null;
            for (Map.Entry<TopicPartition, ArrayDeque<Head>> e : buffers.entrySet()) {
                Head h = e.getValue().peek();
                if (h == null) {
                    continue;
                }
                if (bestHead == null || compare(h, e.getKey(), bestHead, best) < 0) {
                    best = e.getKey();
                    bestHead = h;
                }
            }
            if (best == null) {
                return null;
            }
            buffers.get(best).poll();
            lastEventTime = bestHead.eventTime();
            lastTopicIndex = topicIndex.get(best.topic());
            return bestHead.record();
        }

        private int compare(Head a, TopicPartition ta, Head b, TopicPartition tb) {
            int c = Long.compare(a.eventTime(), b.eventTime());
            if (c == 0) {
                c = Integer.compare(topicIndex.get(ta.topic()), topicIndex.get(tb.topic()));
            }
            return c != 0 ? c : Integer.compare(ta.partition(), tb.partition());
        }

        /** Event time as the topology sees it; an undecodable record keeps its record timestamp. */
        private long eventTime(ConsumerRecord<byte[], byte[]> r) {
            Object value;
            try {
                value = r.value() == null ? null : serdes.get(r.topic()).decode(r.value());
            } catch (RuntimeException e) {
                return r.timestamp();
            }
            return extractor.extract(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), null, value),
                    r.timestamp());
        }
    }
}
