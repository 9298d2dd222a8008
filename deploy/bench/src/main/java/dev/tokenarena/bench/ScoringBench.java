package dev.tokenarena.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.DeadLetterCounter;
import dev.tokenarena.scoring.EventTimeExtractor;
import dev.tokenarena.scoring.ScoringApp;
import dev.tokenarena.scoring.ScoringConfig;
import dev.tokenarena.scoring.ScoringParams;
import dev.tokenarena.scoring.ScoringTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arena bench scoring}: on an embedded KRaft broker and our schema registry, pre-loads N
 * generated ProbeResults (a fleet of endpoints probed from three regions) and measures, in one run:
 * <ol>
 *   <li>{@code baseline_events_per_s}: a plain consumer that reads the probe topic from the start
 *       and decodes every value with AvroWireSerde;</li>
 *   <li>{@code events_per_s}: the full scoring topology (ScoringApp: exactly_once_v2, RocksDB) from
 *       its start until its consumer group's committed offsets on the probe topic reach the end;</li>
 *   <li>{@code floor_events_per_s} (with {@code --floor}): the same, for a minimal Streams app with
 *       the same settings that only counts events per endpoint in a persistent, changelogged store:
 *       what Kafka Streams with exactly-once reaches here ({@code ratio_to_floor} = events_per_s / it);</li>
 *   <li>{@code freshness_ms_p99}: a second app instance (own application id and output namespace,
 *       starting at the end of the probe topic) fed at a fixed rate with probes stamped with the
 *       wall clock; a probe is fresh when the first composite of its endpoint with
 *       {@code computed_at_ms >= started_at_ms} is read (read_committed) from the composites topic.</li>
 * </ol>
 * A benchmark, not a test: it prints figures and asserts nothing about them.
 */
@Command(name = "scoring", mixinStandardHelpOptions = true,
        description = "Benchmark the scoring topology: events/s with exactly-once v2 vs a decode-only consumer, "
                + "and freshness (probe produced -> composite updated) at a fixed rate.")
public final class ScoringBench implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FRESH_NAMESPACE = "benchfresh";
    private static final String FLOOR_STORE = "floor-counts";
    /** The scoring app's output topics, which a namespace (a replay's, the freshness run's) has its own of. */
    private static final List<TopicSpec<?>> REPLAY_OUTPUTS = List.of(Topics.COMPOSITES, Topics.LEADERBOARD,
            Topics.ALERTS, Topics.DLQ);

    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "200000", description = "Probe events pre-loaded for the throughput runs (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Option(names = "--endpoints", defaultValue = "78", description = "Endpoints in the generated fleet (default ${DEFAULT-VALUE}).")
    int endpoints;

    @Option(names = "--regions", defaultValue = "3", description = "Probe regions, 1..3 (default ${DEFAULT-VALUE}).")
    int regions;

    @Option(names = "--max-task-idle-ms", defaultValue = "0", description = "max.task.idle.ms of the scoring app (default ${DEFAULT-VALUE}, the app's default; -1 never waits).")
    long maxTaskIdleMs;

    @Option(names = "--stream-threads", defaultValue = "1", description = "num.stream.threads of the scoring app (default ${DEFAULT-VALUE}).")
    int streamThreads;

    @Option(names = "--commit-interval-ms", defaultValue = "1000", description = "commit.interval.ms of the throughput run (default ${DEFAULT-VALUE}, the app's default).")
    long commitIntervalMs;

    @Option(names = "--freshness-rate", defaultValue = "10000", description = "Events per second in the freshness run (default ${DEFAULT-VALUE}; 0 skips it).")
    int freshnessRate;

    @Option(names = "--freshness-seconds", defaultValue = "20", description = "Measured seconds of the freshness run (default ${DEFAULT-VALUE}).")
    int freshnessSeconds;

    @Option(names = "--freshness-warmup-seconds", defaultValue = "90", description = "Seconds at the fixed rate before the measured ones (default ${DEFAULT-VALUE}: in one JVM with the broker the JIT compiles for over a minute, half a core and more; the JSON reports what it still took in the window).")
    int freshnessWarmupSeconds;

    @Option(names = "--freshness-commit-interval-ms", defaultValue = "50", description = "commit.interval.ms of the freshness run (default ${DEFAULT-VALUE}: each of the three repartition hops to a composite waits for a commit).")
    long freshnessCommitIntervalMs;

    @Option(names = "--freshness-emit-interval", defaultValue = "PT0.25S", description = "emit_interval of the freshness run's scoring params (default ${DEFAULT-VALUE}; shipped: PT1M): a probe waits up to one for its window's interim figures and up to one for its cohort's scoring.")
    Duration freshnessEmitInterval;

    @Option(names = "--replay", description = "Also time `arena replay` of the whole pre-loaded history (two deterministic stages, no exactly-once round trips) and extrapolate a month of 18M events (measure one with --events 18000000 --event-span P30D).")
    boolean replay;

    @Option(names = "--event-span", description = "Event time the pre-loaded probes span (default: one probe per endpoint and region per minute; a month of the issue's fleet is --events 18000000 --event-span P30D).")
    Duration eventSpan;

    @Option(names = "--event-start", description = "Event time of the first pre-loaded probe (default: the span before now), so two builds can replay the same input.")
    java.time.Instant eventStart;

    @Option(names = "--replay-check", description = "After the timed replay, replay the same range again into a second namespace and compare every output record (keys, values, timestamps, headers) by digest.")
    boolean replayCheck;

    @Option(names = "--replay-only", description = "Time only the replay (implies --replay): no decode-only, live, floor or freshness run.")
    boolean replayOnly;

    @Option(names = "--floor", description = "Also run the framework floor: a minimal exactly-once Streams app, one store write per event.")
    boolean floor;

    @Option(names = "--timeout-s", defaultValue = "900", description = "Give up on a phase after this long (default ${DEFAULT-VALUE}).")
    long timeoutS;

    /** For picocli. */
    public ScoringBench() {
    }

    @Override
    public Integer call() throws Exception {
        if (events < 1 || endpoints < 1 || regions < 1 || regions > 3 || freshnessRate < 0 || freshnessSeconds < 1 || freshnessWarmupSeconds < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "need --events >= 1, --endpoints >= 1, --regions in 1..3, --freshness-rate >= 0, --freshness-seconds >= 1, --freshness-warmup-seconds >= 0");
        }
        ObjectNode out = run();
        PrintWriter w = spec.commandLine().getOut();
        w.println(json ? JSON.writeValueAsString(out) : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        w.flush();
        return 0;
    }

    ObjectNode run() throws Exception {
        ObjectNode out = JSON.createObjectNode();
        out.put("events", events);
        out.put("endpoints", endpoints);
        out.put("regions", regions);
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        out.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        out.put("load_average_1m_start", ProcessMeter.loadAverage());
        FleetGenerator fleet = new FleetGenerator(endpoints, regions, 7L);
        Path work = Files.createTempDirectory("arena-bench-scoring-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0, Map.of(), true);
             RegistryServer registryServer = startRegistry(kafka)) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(registryServer.url());
            out.put("probe_partitions", Topics.PROBE_RESULTS.partitions());

            long span = eventSpan != null ? eventSpan.toMillis() : events * 60_000L / ((long) endpoints * regions);
            long t0 = eventStart != null ? eventStart.toEpochMilli() : System.currentTimeMillis() - span - 60_000L;
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                catalogue(producer, registry, fleet, t0 - 3_600_000L);
                AvroWireSerde<ProbeResult> serde = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry);
                long p0 = System.nanoTime();
                for (long i = 0; i < events; i++) {
                    long at = t0 + (long) ((double) i * span / events);
                    ProbeResult r = fleet.probe(i, at);
                    producer.send(new ProducerRecord<>(Topics.PROBE_RESULTS.name(), null, at, r.getEndpointId(),
                            serde.encode(Topics.PROBE_RESULTS.name(), r)));
                }
                producer.flush();
                out.put("produce_events_per_s", Math.round(events / ((System.nanoTime() - p0) / 1e9)));
                out.put("event_time_span_h", Quantiles.round3(span / 3_600_000.0));
            }

            if (replayOnly) {
                out.set("replay_run", replay(kafka, registry, work, t0, span));
                out.put("load_average_1m_end", ProcessMeter.loadAverage());
                return out;
            }
            double[] base = baseline(kafka.bootstrapServers(), registry);
            double baseline = base[0];
            out.put("baseline_events_per_s", Math.round(baseline));
            out.put("baseline_events_per_cpu_s", Math.round(base[1]));

            ObjectNode tput = throughput(kafka, registry, work);
            double eps = tput.path("events_per_s").asDouble();
            out.put("events_per_s", Math.round(eps));
            out.put("ratio", Quantiles.round3(eps / baseline));
            double perCpu = tput.path("events_per_stream_thread_cpu_s").asDouble();
            out.put("events_per_cpu_s", Math.round(perCpu));
            out.put("ratio_per_cpu", Quantiles.round3(perCpu / base[1]));
            out.set("throughput_run", tput);

            if (floor) {
                // After the throughput run, so events_per_s is measured as it was before this option.
                ObjectNode fl = floor(kafka, registry, work);
                double floorEps = fl.path("events_per_s").asDouble();
                out.put("floor_events_per_s", Math.round(floorEps));
                out.put("floor_events_per_cpu_s", fl.path("events_per_stream_thread_cpu_s").asLong());
                out.put("ratio_to_floor", Quantiles.round3(eps / floorEps));
                out.set("floor_run", fl);
            }

            if (replay) {
                out.set("replay_run", replay(kafka, registry, work, t0, span));
            }
            if (freshnessRate > 0) {
                out.set("freshness_run", freshness(kafka, registry, work, fleet, out));
            }
        } finally {
            deleteTree(work);
        }
        out.put("load_average_1m_end", ProcessMeter.loadAverage());
        return out;
    }

    /**
     * {@code arena replay} of the whole pre-loaded history (shipped params) into its own namespace:
     * the deterministic re-scoring path (merged input, two stages each in a TopologyTestDriver,
     * no exactly-once round trips), timed from start to the last output produced.
     * {@code month_18m_events_estimate_min} extrapolates from it; at the default density (one probe
     * per endpoint and region per minute) that overstates a month, whose time-driven work weighs
     * less per event: generate the month itself for the real figure.
     */
    private ObjectNode replay(EmbeddedKafka kafka, RestSchemaRegistryClient registry, Path work, long t0, long span)
            throws Exception {
        ObjectNode o = JSON.createObjectNode();
        // the whole pre-loaded history: from the catalogue, an hour before the first probe, to past the last
        java.util.function.Function<String, dev.tokenarena.scoring.replay.ReplayResult> replayAs = ns ->
                new dev.tokenarena.scoring.replay.Replayer(registry).run(new dev.tokenarena.scoring.replay.ReplayRequest(
                        java.time.Instant.ofEpochMilli(t0 - 3_600_000L), java.time.Instant.ofEpochMilli(t0 + span + 60_000L),
                        ScoringParams.defaults(), ns, kafka.bootstrapServers(), work.resolve("replay"), null));
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long process0 = ProcessMeter.processCpuNanos();
        long gc0 = ProcessMeter.gcMs();
        long w0 = System.nanoTime();
        dev.tokenarena.scoring.replay.ReplayResult r = replayAs.apply("benchreplay");
        double wallS = (System.nanoTime() - w0) / 1e9;
        double cpuS = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        o.put("process_cpu_ms", Math.round((ProcessMeter.processCpuNanos() - process0) / 1e6));
        o.put("gc_ms", ProcessMeter.gcMs() - gc0);
        o.put("records_read", r.recordsRead());
        o.put("records_replayed", r.recordsReplayed());
        o.set("records_written", JSON.valueToTree(r.recordsWritten()));
        o.put("wall_ms", Math.round(wallS * 1000));
        o.put("replaying_thread_cpu_ms", Math.round(cpuS * 1000));
        o.set("thread_cpu_ms", JSON.valueToTree(new java.util.TreeMap<>(r.threadCpuMs())));
        double eps = r.recordsReplayed() / wallS;
        o.put("events_per_s", Math.round(eps));
        o.put("events_per_cpu_s", Math.round(r.recordsReplayed() / cpuS));
        // issue 4: a month of a 78-endpoint, 3-region fleet, about 18M probe events
        o.put("month_18m_events_estimate_min", Quantiles.round3(18_000_000L / eps / 60.0));
        if (replayCheck) {
            replayAs.apply("benchreplay2");
            String first = outputDigest(kafka.bootstrapServers(), "benchreplay");
            String second = outputDigest(kafka.bootstrapServers(), "benchreplay2");
            o.put("output_digest", first);
            // the ids are part of every record: a digest compares only runs whose registry gave the same ones
            o.set("output_schema_ids", JSON.valueToTree(outputSchemaIds(kafka.bootstrapServers(), "benchreplay")));
            o.put("rerun_identical", first.equals(second));
            if (!first.equals(second)) {
                o.put("first_difference", firstDifference(kafka.bootstrapServers()));
            }
        }
        return o;
    }

    /** Where the two replays' outputs first differ, for the report. */
    private static String firstDifference(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = readCommitted(bootstrap)) {
            for (TopicSpec<?> t : REPLAY_OUTPUTS) {
                for (int p = 0; p < t.partitions(); p++) {
                    List<ConsumerRecord<byte[], byte[]>> a = readAll(c, new TopicPartition(ScoringTopology.outputTopic(t, "benchreplay"), p));
                    List<ConsumerRecord<byte[], byte[]>> b = readAll(c, new TopicPartition(ScoringTopology.outputTopic(t, "benchreplay2"), p));
                    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                        ConsumerRecord<byte[], byte[]> x = a.get(i);
                        ConsumerRecord<byte[], byte[]> y = b.get(i);
                        if (!java.util.Arrays.equals(x.key(), y.key()) || !java.util.Arrays.equals(x.value(), y.value())
                                || x.timestamp() != y.timestamp()) {
                            int at = java.util.Arrays.mismatch(x.value(), y.value());
                            return t.name() + "/" + p + " offset " + i + ": key " + new String(x.key()) + " vs " + new String(y.key())
                                    + ", ts " + x.timestamp() + " vs " + y.timestamp() + ", value bytes differ from " + at
                                    + " of " + x.value().length + "/" + y.value().length;
                        }
                    }
                    if (a.size() != b.size()) {
                        return t.name() + "/" + p + ": " + a.size() + " vs " + b.size() + " records";
                    }
                }
            }
        }
        return "none found";
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long end = c.endOffsets(List.of(tp)).get(tp);
        while (c.position(tp) < end) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** The schema ids in a replay namespace's output records, by topic. */
    private static Map<String, java.util.SortedSet<Integer>> outputSchemaIds(String bootstrap, String namespace) {
        Map<String, java.util.SortedSet<Integer>> ids = new java.util.TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = readCommitted(bootstrap)) {
            for (TopicSpec<?> t : REPLAY_OUTPUTS) {
                if (t.valueType() == null) {
                    continue;
                }
                for (int p = 0; p < t.partitions(); p++) {
                    for (ConsumerRecord<byte[], byte[]> r : readAll(c, new TopicPartition(ScoringTopology.outputTopic(t, namespace), p))) {
                        if (r.value() != null) {
                            ids.computeIfAbsent(t.name(), k -> new java.util.TreeSet<>())
                                    .add(dev.tokenarena.schemas.serde.WireFormat.schemaId(r.value()));
                        }
                    }
                }
            }
        }
        return ids;
    }

    /** SHA-256 over every record of a replay namespace's outputs, partition by partition in offset order. */
    private static String outputDigest(String bootstrap, String namespace) throws Exception {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        try (KafkaConsumer<byte[], byte[]> c = readCommitted(bootstrap)) {
            for (TopicSpec<?> t : REPLAY_OUTPUTS) {
                for (int p = 0; p < t.partitions(); p++) {
                    TopicPartition tp = new TopicPartition(ScoringTopology.outputTopic(t, namespace), p);
                    for (ConsumerRecord<byte[], byte[]> r : readAll(c, tp)) {
                        sha.update((t.name() + "/" + p + "/" + r.timestamp()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        sha.update(r.key() == null ? new byte[0] : r.key());
                        sha.update(r.value() == null ? new byte[0] : r.value());
                        r.headers().forEach(h -> {
                            sha.update(h.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            sha.update(h.value() == null ? new byte[0] : h.value());
                        });
                    }
                }
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }


    /** Creates the catalogue's topics (the registry's storage topic among them), then starts the registry on them. */
    private static RegistryServer startRegistry(EmbeddedKafka kafka) {
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec<?> t : Topics.all()) {
            NewTopic topic = t.newTopic((short) 1);
            if (!t.compacted()) {
                // generated history may be older than the catalogue's retention (30 days for
                // probes): the broker would delete it under a replay of a month
                Map<String, String> configs = new java.util.HashMap<>(t.configs());
                configs.put(org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG, "-1");
                topic.configs(configs);
            }
            topics.add(topic);
        }
        for (TopicSpec<?> t : REPLAY_OUTPUTS) {
            topics.add(new NewTopic(ScoringTopology.outputTopic(t, FRESH_NAMESPACE), t.partitions(), (short) 1));
        }
        kafka.createTopics(topics);
        return RegistryServer.start(kafka.bootstrapServers(), 0);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new ByteArraySerializer());
    }

    private static void catalogue(KafkaProducer<String, byte[]> producer, RestSchemaRegistryClient registry,
                                  FleetGenerator fleet, long atMs) {
        AvroWireSerde<Endpoint> es = AvroWireSerde.forTopic(Topics.ENDPOINTS, registry);
        for (Endpoint e : fleet.endpoints(atMs)) {
            producer.send(new ProducerRecord<>(Topics.ENDPOINTS.name(), null, atMs, e.getEndpointId(),
                    es.encode(Topics.ENDPOINTS.name(), e)));
        }
        AvroWireSerde<PriceQuote> ps = AvroWireSerde.forTopic(Topics.PRICES, registry);
        for (PriceQuote p : fleet.prices(atMs)) {
            producer.send(new ProducerRecord<>(Topics.PRICES.name(), null, atMs, p.getEndpointId(),
                    ps.encode(Topics.PRICES.name(), p)));
        }
        producer.flush();
    }

    /** Reads the whole probe topic with a plain consumer, decoding every value: {events/s, events per CPU-second of its thread}. */
    private double[] baseline(String bootstrap, RestSchemaRegistryClient registry) {
        AvroWireSerde<ProbeResult> serde = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions(c.partitionsFor(Topics.PROBE_RESULTS.name()));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long n = 0;
            long tokens = 0;
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("baseline consumer did not reach the end within --timeout-s=" + timeoutS);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    tokens += serde.decode(r.value()).getOutputTokens(); // keep the decode observable
                    n++;
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpuS = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            if (tokens < 0) {
                throw new IllegalStateException("impossible token sum");
            }
            return new double[] {n / s, n / cpuS};
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static List<TopicPartition> partitions(List<PartitionInfo> infos) {
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo p : infos) {
            parts.add(new TopicPartition(p.topic(), p.partition()));
        }
        return parts;
    }

    private Map<String, Object> appConfig(EmbeddedKafka kafka, RestSchemaRegistryClient registry, String appId,
                                          Path stateDir, long commitMs, String namespace, Path paramsFile) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("bootstrap.servers", kafka.bootstrapServers());
        cfg.put("schema.registry.url", registry.url());
        cfg.put(ScoringConfig.APPLICATION_ID, appId);
        cfg.put(ScoringConfig.STATE_DIR, stateDir.toString());
        cfg.put(ScoringConfig.COMMIT_INTERVAL_MS, Long.toString(commitMs));
        cfg.put(ScoringConfig.NUM_STREAM_THREADS, Integer.toString(streamThreads));
        cfg.put(ScoringConfig.MAX_TASK_IDLE_MS, Long.toString(maxTaskIdleMs));
        cfg.put(ScoringConfig.OUTPUT_NAMESPACE, namespace);
        if (paramsFile != null) {
            cfg.put(ScoringConfig.SCORING_PARAMS_FILE, paramsFile.toString());
        }
        return cfg;
    }

    private ObjectNode throughput(EmbeddedKafka kafka, RestSchemaRegistryClient registry, Path work) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        String appId = "bench-scoring-" + UUID.randomUUID().toString().substring(0, 8);
        ScoringConfig config = new ScoringConfig(appConfig(kafka, registry, appId, work.resolve("state-tput"),
                commitIntervalMs, "", null));
        o.put("processing_guarantee", "exactly_once_v2");
        o.put("commit_interval_ms", commitIntervalMs);
        o.put("stream_threads", streamThreads);
        o.put("max_task_idle_ms", maxTaskIdleMs);
        o.put("scoring_config_hash", config.params().configHash());
        try (ScoringApp app = new ScoringApp(config, registry)) {
            runToEnd(kafka, appId, app.streams(), app::start, o);
            o.put("dead_letters", app.deadLetters().count(Topics.PROBE_RESULTS.name()));
        }
        return o;
    }

    /**
     * The framework floor: a minimal Kafka Streams app over the same probe topic with the
     * throughput run's settings ({@link ScoringApp#streamsProperties}: exactly_once_v2, commit
     * interval, threads, task idling, RocksDB in the work dir, the dead-letter handler) and one
     * read and one write of a persistent, changelogged store per event ({@link #floorTopology}). What it reaches is what Kafka Streams
     * EOS itself costs here; the rest of the gap to the baseline is the scoring topology's.
     */
    private ObjectNode floor(EmbeddedKafka kafka, RestSchemaRegistryClient registry, Path work) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        String appId = "bench-floor-" + UUID.randomUUID().toString().substring(0, 8);
        o.put("processing_guarantee", "exactly_once_v2");
        o.put("commit_interval_ms", commitIntervalMs);
        o.put("stream_threads", streamThreads);
        o.put("max_task_idle_ms", maxTaskIdleMs);
        o.put("topology", "source -> processValues(count per endpoint, persistent logged store)");
        DeadLetterCounter deadLetters = new DeadLetterCounter();
        // the scoring app's own Streams settings, from the same bench config as the throughput run
        ScoringConfig config = new ScoringConfig(appConfig(kafka, registry, appId, work.resolve("state-floor"),
                commitIntervalMs, "", null));
        KafkaStreams streams = new KafkaStreams(floorTopology(registry), ScoringApp.streamsProperties(config, deadLetters));
        try {
            runToEnd(kafka, appId, streams, streams::start, o);
        } finally {
            streams.close(Duration.ofSeconds(30)); // bounded, as ScoringApp closes; close() alone may wait forever
        }
        o.put("dead_letters", deadLetters.count(Topics.PROBE_RESULTS.name()));
        return o;
    }

    /** Source (the scoring app's value serde and event time) into one count per endpoint; forwards nothing. */
    private static Topology floorTopology(RestSchemaRegistryClient registry) {
        StreamsBuilder sb = new StreamsBuilder();
        // No caching: every event is a RocksDB put and a changelog record in the transaction, the
        // cost of one state write per event. (The scoring topology's processor stores are cached;
        // a cached floor would be faster still, so this floor, if anything, flatters our ratio.)
        sb.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FLOOR_STORE),
                Serdes.String(), Serdes.Long()));
        sb.stream(Topics.PROBE_RESULTS.name(), Consumed.with(Serdes.String(),
                        AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry))
                        .withTimestampExtractor(new EventTimeExtractor()).withName("floor-source"))
                .processValues(CountPerEndpoint::new, Named.as("floor-count"), FLOOR_STORE);
        return sb.build();
    }

    private static final class CountPerEndpoint implements FixedKeyProcessor<String, ProbeResult, Void> {
        private KeyValueStore<String, Long> counts;

        @Override
        public void init(FixedKeyProcessorContext<String, Void> context) {
            counts = context.getStateStore(FLOOR_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, ProbeResult> r) {
            Long n = counts.get(r.key());
            counts.put(r.key(), n == null ? 1L : n + 1);
        }
    }

    /**
     * Starts a Streams app and waits until its group's committed offsets on the probe topic reach
     * the end; puts the timing fields both throughput_run and floor_run report. Committed offsets,
     * not records seen: under exactly_once_v2 an event counts once its transaction is committed.
     */
    private void runToEnd(EmbeddedKafka kafka, String appId, KafkaStreams streams, Runnable start, ObjectNode o)
            throws Exception {
        try (Admin admin = kafka.admin()) {
            long end = events;
            long t0 = System.nanoTime();
            start.run();
            long firstCommit = -1;
            long committedAtFirst = 0;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutS);
            long committed = 0;
            while (committed < end) {
                if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(appId + " did not commit to the end of the probe topic within --timeout-s="
                            + timeoutS + " (committed " + committed + " of " + end + ", state " + streams.state() + ")");
                }
                Thread.sleep(50);
                committed = committedOnProbeTopic(admin, appId);
                if (committed > 0 && firstCommit < 0) {
                    firstCommit = System.nanoTime();
                    committedAtFirst = committed;
                }
            }
            long t1 = System.nanoTime();
            double streamCpuS = streamThreadCpuNanos(appId) / 1e9;
            o.put("wall_ms", Math.round((t1 - t0) / 1e6));
            o.put("stream_thread_cpu_ms", Math.round(streamCpuS * 1000));
            o.put("events_per_stream_thread_cpu_s", Math.round(events / streamCpuS));
            o.put("startup_ms_until_first_commit", firstCommit < 0 ? -1 : Math.round((firstCommit - t0) / 1e6));
            o.put("events_per_s", events / ((t1 - t0) / 1e9));
            o.put("events_per_s_after_first_commit", firstCommit < 0 || t1 == firstCommit ? -1
                    : Math.round((events - committedAtFirst) / ((t1 - firstCommit) / 1e9)));
        }
    }

    /** CPU time so far of this application's stream threads (named {@code <appId>-...-StreamThread-n}). */
    private static long streamThreadCpuNanos(String appId) {
        long[] sum = {0};
        ProcessMeter.eachThreadCpu((name, cpu) -> {
            if (name.startsWith(appId) && name.contains("-StreamThread-")) {
                sum[0] += cpu;
            }
        });
        return sum[0];
    }

    private static long committedOnProbeTopic(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (e.getKey().topic().equals(Topics.PROBE_RESULTS.name()) && e.getValue() != null) {
                sum += e.getValue().offset();
            }
        }
        return sum;
    }

    /** The shipped scoring params with another emit interval, written to a file for ScoringConfig. */
    private Path paramsWithEmitInterval(Path work) throws IOException {
        String yaml;
        try (InputStream in = ScoringParams.class.getClassLoader().getResourceAsStream(ScoringParams.DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + ScoringParams.DEFAULT_RESOURCE + " is missing");
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String changed = yaml.replaceFirst("(?m)^emit_interval:.*$", "emit_interval: " + freshnessEmitInterval);
        if (changed.equals(yaml)) {
            throw new IllegalStateException("no emit_interval line in " + ScoringParams.DEFAULT_RESOURCE);
        }
        Path file = work.resolve("params-freshness.yaml");
        Files.writeString(file, changed);
        return file;
    }

    private ObjectNode freshness(EmbeddedKafka kafka, RestSchemaRegistryClient registry, Path work,
                                 FleetGenerator fleet, ObjectNode top) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        String appId = "bench-fresh-" + UUID.randomUUID().toString().substring(0, 8);
        ScoringConfig config = new ScoringConfig(appConfig(kafka, registry, appId, work.resolve("state-fresh"),
                freshnessCommitIntervalMs, FRESH_NAMESPACE, paramsWithEmitInterval(work)));
        o.put("rate_target_events_per_s", freshnessRate);
        o.put("measured_s", freshnessSeconds);
        o.put("warmup_s", freshnessWarmupSeconds);
        o.put("commit_interval_ms", freshnessCommitIntervalMs);
        o.put("emit_interval", freshnessEmitInterval.toString());
        o.put("scoring_config_hash", config.params().configHash());
        o.put("processing_guarantee", "exactly_once_v2");

        // The new application starts at the end of the probe topic: its history was the throughput run's.
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                for (Map.Entry<TopicPartition, Long> e : c.endOffsets(
                        partitions(c.partitionsFor(Topics.PROBE_RESULTS.name()))).entrySet()) {
                    start.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
                }
            }
            admin.alterConsumerGroupOffsets(appId, start).all().get(30, TimeUnit.SECONDS);
        }

        Map<String, ConcurrentLinkedQueue<long[]>> pending = new ConcurrentHashMap<>();
        List<Double> fresh = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong composites = new AtomicLong();
        AvroWireSerde<EndpointComposite> cs = AvroWireSerde.forTopic(Topics.COMPOSITES, registry);
        String compositesTopic = ScoringTopology.outputTopic(Topics.COMPOSITES, FRESH_NAMESPACE);
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = partitions(c.partitionsFor(compositesTopic));
                c.assign(parts);
                c.seekToBeginning(parts);
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        EndpointComposite comp = cs.decode(r.value());
                        composites.incrementAndGet();
                        ConcurrentLinkedQueue<long[]> q = pending.get(comp.getEndpointId());
                        if (q == null) {
                            continue;
                        }
                        long[] head;
                        while ((head = q.peek()) != null && head[0] <= comp.getComputedAtMs()) {
                            q.poll();
                            if (head[2] == 1) {
                                fresh.add((now - head[1]) / 1e6);
                            }
                        }
                    }
                }
            }
        }, "bench-composites-reader");
        reader.setDaemon(true);

        long produced = 0;
        long measured = 0;
        try (ScoringApp app = new ScoringApp(config, registry);
             KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
            AvroWireSerde<ProbeResult> serde = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry);
            reader.start();
            app.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (app.state() != KafkaStreams.State.RUNNING) {
                if (System.nanoTime() > deadline || app.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("freshness app not RUNNING within 120 s (state " + app.state() + ")");
                }
                Thread.sleep(50);
            }
            // Warm-up, measured window, tail (5 s) so the measured probes' stream time is passed.
            long warmNanos = TimeUnit.SECONDS.toNanos(freshnessWarmupSeconds);
            long measureNanos = TimeUnit.SECONDS.toNanos(freshnessSeconds);
            long totalNanos = warmNanos + measureNanos + TimeUnit.SECONDS.toNanos(5);
            long seqBase = events;
            ProcessMeter meter = new ProcessMeter();
            WindowCpu windowCpu = null;
            long t0 = System.nanoTime();
            meter.start();
            while (true) {
                long elapsed = System.nanoTime() - t0;
                if (elapsed >= totalNanos) {
                    break;
                }
                long due = elapsed * freshnessRate / 1_000_000_000L;
                boolean inWindow = elapsed >= warmNanos && elapsed < warmNanos + measureNanos;
                if (inWindow && windowCpu == null) {
                    windowCpu = new WindowCpu();
                } else if (!inWindow && windowCpu != null && !windowCpu.ended()) {
                    windowCpu.end(o);
                }
                while (produced < due) {
                    long at = System.currentTimeMillis();
                    ProbeResult r = fleet.probe(seqBase + produced, at);
                    long now = System.nanoTime();
                    pending.computeIfAbsent(r.getEndpointId(), k -> new ConcurrentLinkedQueue<>())
                            .add(new long[] {at, now, inWindow ? 1 : 0});
                    producer.send(new ProducerRecord<>(Topics.PROBE_RESULTS.name(), null, at, r.getEndpointId(),
                            serde.encode(Topics.PROBE_RESULTS.name(), r)));
                    produced++;
                    if (inWindow) {
                        measured++;
                    }
                }
                Thread.sleep(1);
            }
            producer.flush();
            double seconds = (System.nanoTime() - t0) / 1e9;
            o.put("rate_achieved_events_per_s", Math.round(produced / seconds));
            o.put("cpu_cores_used", Quantiles.round3(meter.cpuMs() / 1000.0 / seconds));
            // Wait for the measured probes to be matched (bounded).
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (fresh.size() < measured && System.nanoTime() < wait) {
                Thread.sleep(100);
            }
            o.put("dead_letters", app.deadLetters().count(Topics.PROBE_RESULTS.name()));
        } finally {
            stop.set(true);
            reader.join(10_000);
        }
        double[] f;
        synchronized (fresh) {
            f = fresh.stream().mapToDouble(Double::doubleValue).toArray();
        }
        long matched = f.length;
        long unmatched = measured - matched;
        if (unmatched > 0) {
            // Probes whose composite never came within the wait: count each as the time it has
            // waited so far, so the quantiles become lower bounds instead of ignoring the slowest.
            long now = System.nanoTime();
            List<Double> all = new ArrayList<>(f.length + (int) unmatched);
            for (double v : f) {
                all.add(v);
            }
            for (ConcurrentLinkedQueue<long[]> q : pending.values()) {
                for (long[] p : q) {
                    if (p[2] == 1) {
                        all.add((now - p[1]) / 1e6);
                    }
                }
            }
            f = all.stream().mapToDouble(Double::doubleValue).toArray();
        }
        o.put("events_unmatched", unmatched);
        o.put("freshness_is_lower_bound", unmatched > 0);
        o.put("events_produced", produced);
        o.put("events_measured", measured);
        o.put("events_matched", matched);
        o.put("composites_read", composites.get());
        o.put("freshness_ms_p50", Quantiles.round3(Quantiles.of(f, 0.50)));
        o.put("freshness_ms_p99", Quantiles.round3(Quantiles.of(f, 0.99)));
        o.put("freshness_ms_max", Quantiles.round3(Quantiles.of(f, 1.0)));
        top.put("freshness_ms_p99", o.path("freshness_ms_p99").asDouble());
        top.put("freshness_is_lower_bound", unmatched > 0);
        return o;
    }

    /**
     * Where the cores went in the measured window: the process, the JIT compilers (their threads
     * are not among the JVM's listed threads; a short run in one JVM with the broker compiles for
     * a long time), and the busiest thread groups (the app's stream thread, the broker's request
     * handlers, this producer, ...). GC and RocksDB's native threads are in the process figure only.
     */
    private static final class WindowCpu {
        private final long startNanos = System.nanoTime();
        private final long processStart = ProcessMeter.processCpuNanos();
        private final long jitStartMs = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        private final Map<String, Long> threadsStart = ProcessMeter.cpuNanosByThreadGroup();
        private boolean ended;

        boolean ended() {
            return ended;
        }

        void end(ObjectNode o) {
            ended = true;
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            o.put("window_cpu_cores", Quantiles.round3((ProcessMeter.processCpuNanos() - processStart) / 1e9 / seconds));
            long jitMs = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitStartMs;
            o.put("window_jit_cores", Quantiles.round3(jitMs / 1000.0 / seconds));
            o.set("window_cores_by_thread_group", JSON.valueToTree(ProcessMeter.busiestGroups(threadsStart,
                    ProcessMeter.cpuNanosByThreadGroup(), seconds, 8)));
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temp directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
