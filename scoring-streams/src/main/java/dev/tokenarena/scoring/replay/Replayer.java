package dev.tokenarena.scoring.replay;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.admin.TopicAdmin;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.scoring.DeadLetterCounter;
import dev.tokenarena.scoring.EventTimeExtractor;
import dev.tokenarena.scoring.ScoringTopology;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * event time &lt; to (the catalogue as it stood). The sequence runs through the two stages of a
 * {@link ReplayPipeline} (probe path, then everything else, each a topology in a test driver: one
 * task, repartition topics handed on in process) on three threads: a reader, the probe stage
 * and the scoring stage (the caller's thread), joined by bounded queues of steps, each stage
 * taking the steps in sequence order. So the same input and params give the same output records in the same order
 * (keys, values, timestamps, headers), which a multi-threaded Kafka Streams run does not promise.
 * At the end, stream time is moved to {@code to} and one emit interval past it with two
 * null-key markers on the endpoints table (dropped by the table source, never scored), so the
 * last composites and leaderboards are emitted. Outputs are produced to {@code <topic>.NAME},
 * partitioned by key like the live app.
 */
public final class Replayer {

    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);
    /** CPU time of the replay's threads (new threads each replay: their whole CPU time is the replay's). */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

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
    /** Steps handed between the stages at a time, and batches queued before each stage. */
    static final int BATCH = 500;
    static final int QUEUED_BATCHES = 8;
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
        Map<String, Long> written = new LinkedHashMap<>();
        for (TopicSpec<?> t : OUTPUTS) {
            written.put(ScoringTopology.outputTopic(t, ns), 0L);
            if (t.valueType() != null) {
                // Now, in this order: the stages register their internal schemas from two threads,
                // and in a registry that has none of them yet the ids would follow the threads'
                // timing; the outputs' ids, part of every output record, must not.
                registry.register(ScoringTopology.outputTopic(t, ns) + "-value",
                        SpecificData.get().getSchema(t.valueType()));
            }
        }
        Batch last;
        Map<String, Long> threadCpuMs = new java.util.concurrent.ConcurrentHashMap<>();
        long callerCpu0 = CPU.getCurrentThreadCpuTime();
        AtomicInteger started = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "arena-replay-" + ns + (started.getAndIncrement() == 0 ? "-reader" : "-probes"));
            t.setDaemon(true);
            return t;
        });
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
                     ProducerConfig.LINGER_MS_CONFIG, 20,
                     // a replay writes composites as fast as it can: batches of 512 KiB instead of
                     // the default 16 KiB (about a dozen composites) cut the requests the producer
                     // and the broker handle per record
                     ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024),
                     new ByteArraySerializer(), new ByteArraySerializer());
             ReplayPipeline pipeline = new ReplayPipeline(req.params(), registry, ns, new DeadLetterCounter(),
                     (topic, key, value, ts, headers) -> {
                         // the producer makes headers read-only; the topology's own object stays writable
                         producer.send(new ProducerRecord<>(topic, null, ts, key, value,
                                 new RecordHeaders(headers.toArray())));
                         written.merge(topic, 1L, Long::sum);
                     }, req.workDir())) {
            Merge merge = new Merge(consumer);
            req.progress().update(0, merge.total);
            // reader -> probe stage -> scoring stage (this thread), each stage in step order
            BlockingQueue<Batch> toProbeStage = new ArrayBlockingQueue<>(QUEUED_BATCHES);
            BlockingQueue<Batch> toScoringStage = new ArrayBlockingQueue<>(QUEUED_BATCHES);
            List<Future<?>> stages = List.of(
                    threads.submit(() -> {
                        read(merge, from, to, req.params().emitInterval(), toProbeStage);
                        threadCpuMs.put("reader", CPU.getCurrentThreadCpuTime() / 1_000_000);
                        return null;
                    }),
                    threads.submit(() -> {
                        for (Batch b = toProbeStage.take(); ; b = toProbeStage.take()) {
                            b.steps().forEach(pipeline::probeStep);
                            toScoringStage.put(b);
                            if (b.last()) {
                                threadCpuMs.put("probe-stage", CPU.getCurrentThreadCpuTime() / 1_000_000);
                                return null;
                            }
                        }
                    }));
            try {
                do {
                    last = next(toScoringStage, stages);
                    last.steps().forEach(pipeline::scoringStep);
                    req.progress().update(last.read(), merge.total);
                } while (!last.last());
                threadCpuMs.put("scoring-stage", (CPU.getCurrentThreadCpuTime() - callerCpu0) / 1_000_000);
            } finally {
                // before the consumer and the drivers close: the other threads may still use them
                stopAndWait(threads);
            }
            producer.flush();
        }
        LOG.info("replay '{}' of [{}, {}) read {} records, replayed {}, wrote {}", ns, req.from(), req.to(),
                last.read(), last.replayed(), written);
        return new ReplayResult(last.read(), last.replayed(), written, req.params().configHash(), threadCpuMs);
    }

    /** Interrupts the reader and the probe stage (a no-op when they are done) and waits for them to stop. */
    private static void stopAndWait(ExecutorService threads) {
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("replay threads did not stop within 30 s of the end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Steps handed from one stage to the next, with the reader's counts when the last of them was read. */
    private record Batch(List<ReplayPipeline.Step> steps, long read, long replayed, boolean last) {
    }

    /** The next batch for this thread's stage; rethrows what failed in a stage before it. */
    private static Batch next(BlockingQueue<Batch> queue, List<Future<?>> stages) {
        try {
            while (true) {
                Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b;
                }
                for (Future<?> f : stages) {
                    if (f.isDone()) {
                        f.get(); // returns only when the stage finished normally
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("replay failed: " + cause, cause);
        }
    }

    /**
     * The reader: the merged sequence, kept to the range, in batches. At the end, stream time is
     * moved to {@code to} (emits every window whose bucket closed by then), one wall-clock emit
     * interval passes (the open buckets' figures, at a point fixed by the input), and stream time
     * moves one emit interval on, so punctuations emit the last composites and the leaderboards
     * built from them; the moves are null-key markers on the endpoints table (dropped by the table
     * source, never scored).
     */
    private static void read(Merge merge, long from, long to, Duration emitInterval, BlockingQueue<Batch> out)
            throws InterruptedException {
        List<ReplayPipeline.Step> steps = new ArrayList<>(BATCH);
        long read = 0;
        long replayed = 0;
        long reported = 0;
        ConsumerRecord<byte[], byte[]> r;
        while ((r = merge.next()) != null) {
            read++;
            long t = merge.lastEventTime;
            boolean table = merge.lastTopicIndex < TABLE_INPUTS.size();
            if (t < to && (table || t >= from)) {
                long ts = r.timestamp() >= 0 ? r.timestamp() : t;
                steps.add(ReplayPipeline.Step.record(r.topic(), r.key(), r.value(), r.headers(), ts, t,
                        merge.lastDecoded));
                replayed++;
            }
            if (steps.size() == BATCH || read - reported >= PROGRESS_EVERY) {
                out.put(new Batch(steps, read, replayed, false));
                steps = new ArrayList<>(BATCH);
                reported = read;
            }
        }
        String marker = Topics.ENDPOINTS.name();
        long later = to + emitInterval.toMillis();
        steps.add(ReplayPipeline.Step.record(marker, null, null, null, to, to));
        steps.add(ReplayPipeline.Step.wallClock(emitInterval, to));
        steps.add(ReplayPipeline.Step.record(marker, null, null, null, later, later));
        out.put(new Batch(steps, read, replayed, true));
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
        /** Partitions with an empty buffer that have not been read to their end. */
        private final Set<TopicPartition> empty = new LinkedHashSet<>();
        private final Map<String, Integer> topicIndex = new HashMap<>();
        private final Map<String, AvroWireSerde<SpecificRecord>> serdes = new HashMap<>();
        private final EventTimeExtractor extractor = new EventTimeExtractor();
        final long total;
        long lastEventTime;
        int lastTopicIndex;
        /** The last record's value as decoded for its event time (null if it could not be), handed on. */
        Object lastDecoded;

        private record Head(ConsumerRecord<byte[], byte[]> record, long eventTime, Object decoded) {
        }

        private static final Object UNDECODABLE = new Object();

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
                empty.add(tp);
            }
            this.total = sum;
        }

        /** Whether a partition whose buffer is empty may still hold records; forgets those at their end. */
        private boolean starved() {
            for (Iterator<TopicPartition> it = empty.iterator(); it.hasNext(); ) {
                TopicPartition tp = it.next();
                if (consumer.position(tp) >= end.get(tp)) {
                    it.remove();
                }
            }
            return !empty.isEmpty();
        }

        /** The next record of the merged sequence, null when every partition reached its end. */
        ConsumerRecord<byte[], byte[]> next() {
            while (starved()) {
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
                        Object decoded = decode(r);
                        buffers.get(tp).add(new Head(r, eventTime(r, decoded), decoded == UNDECODABLE ? null : decoded));
                        empty.remove(tp);
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
            ArrayDeque<Head> taken = buffers.get(best);
            taken.poll();
            if (taken.isEmpty()) {
                empty.add(best);
            }
            lastEventTime = bestHead.eventTime();
            lastDecoded = bestHead.decoded();
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

        /** The record's value decoded: null without one, {@link #UNDECODABLE} (the topology then says why). */
        private Object decode(ConsumerRecord<byte[], byte[]> r) {
            try {
                return r.value() == null ? null : serdes.get(r.topic()).decode(r.value());
            } catch (RuntimeException e) {
                return UNDECODABLE;
            }
        }

        /** Event time as the topology sees it; an undecodable record keeps its record timestamp. */
        private long eventTime(ConsumerRecord<byte[], byte[]> r, Object decoded) {
            if (decoded == UNDECODABLE) {
                return r.timestamp();
            }
            return extractor.extract(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), null, decoded),
                    r.timestamp());
        }
    }
}
