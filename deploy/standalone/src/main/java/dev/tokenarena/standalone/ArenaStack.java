package dev.tokenarena.standalone;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.embedded.connect.EmbeddedConnect;
import dev.tokenarena.energy.EnergyFeed;
import dev.tokenarena.energy.GridTable;
import dev.tokenarena.energy.KafkaFeedSink;
import dev.tokenarena.eval.EvalConfig;
import dev.tokenarena.eval.EvalWorker;
import dev.tokenarena.eval.KafkaEvalSink;
import dev.tokenarena.probe.KafkaMembership;
import dev.tokenarena.probe.ProbeMetrics;
import dev.tokenarena.probe.SpoolingResultSink;
import dev.tokenarena.probe.ProbeAgent;
import dev.tokenarena.probe.ProbeAgentConfig;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.catalog.CatalogEntry;
import dev.tokenarena.schemas.config.CommonConfig;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.time.CompressedClock;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.scoring.ScoringApp;
import dev.tokenarena.scoring.ScoringConfig;
import dev.tokenarena.simulator.DefaultFleet;
import dev.tokenarena.simulator.RegionListener;
import dev.tokenarena.simulator.Simulator;
import dev.tokenarena.simulator.SkuSpec;
import dev.tokenarena.sink.JsonLinesSinkConfig;
import dev.tokenarena.sink.JsonLinesSinkConnector;
import dev.tokenarena.sink.SnapshotSinkConfig;
import dev.tokenarena.sink.SnapshotSinkConnector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole chain in one JVM on real parts: KRaft broker, schema registry, (simulated fleet),
 * energy feed, regional probe agents, eval worker, scoring topology, Connect worker with the
 * sinks, and a read-only status API. Components are wired only through Kafka, exactly as they
 * run apart; this class owns their lifecycle and nothing else.
 */
final class ArenaStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ArenaStack.class);
    static final String SCORING_APP_ID = "arena-scoring";
    static final String SNAPSHOT_CONNECTOR = "arena-snapshots";
    static final String JSONL_CONNECTOR = "arena-jsonl";
    /** The variable that demo-catalog.yaml names for the one simulated SKU that wants a key. */
    static final String DEMO_KEY_ENV = "ACME_API_KEY";
    /** Simulated network distance of each region to the simulated fleet, one way, ms. */
    static final Map<String, Double> REGION_DELAY_MS = Map.of("us-east", 10.0, "eu-central", 40.0, "ap-southeast", 90.0);
    /** Longest wait at start for the local agents of a region to see each other's heartbeats. */
    private static final Duration REGION_AGENTS_MEET = Duration.ofSeconds(10);

    private final StackOptions options;
    private final PrintStream out;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final List<ProbeAgent> agents = new ArrayList<>();
    private final List<KafkaMembership> memberships = new ArrayList<>();
    private final List<AgentTally> tallies = new ArrayList<>();
    private final Ticker ticker = Ticker.SYSTEM;
    /** The demo's one API key, made up per run; real runs read keys from the environment only. */
    private final String demoKey = "sk-demo-" + java.util.UUID.randomUUID();
    private CompressedClock clock;
    private EmbeddedKafka kafka;
    private RegistryServer registryServer;
    private RestSchemaRegistryClient registry;
    private Simulator simulator;
    private Catalog catalog;
    private EnergyFeed energyFeed;
    private EvalWorker evalWorker;
    private ScoringApp scoring;
    private EmbeddedConnect connect;
    private LiveView view;
    private StatusApi api;
    private final List<SpoolingResultSink> probeSinks = new ArrayList<>();
    private KafkaEvalSink evalSink;

    ArenaStack(StackOptions options, PrintStream out) {
        this.options = Objects.requireNonNull(options);
        this.out = out;
    }

    /** Starts every component; on failure everything started so far is closed. */
    void start() {
        try {
            doStart();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void doStart() {
        // Fail on bad input before anything starts.
        catalog = options.simulated() ? null : Catalog.load(options.catalogFile());
        EmbeddedKafka.requireFree(options.kafkaPort(), "Kafka broker");
        if (options.registryPort() != 0) {
            EmbeddedKafka.requireFree(options.registryPort(), "schema registry");
        }
        if (options.apiPort() != 0) {
            EmbeddedKafka.requireFree(options.apiPort(), "status API");
        }
        createDirectories(options.outDir());
        createDirectories(options.workDir());

        kafka = register(EmbeddedKafka.start(options.workDir().resolve("kafka"), options.kafkaPort(), Map.of(), false));
        kafka.createTopics(Topics.all().stream().map(t -> t.newTopic((short) 1)).toList());
        registryServer = register(RegistryServer.start(kafka.bootstrapServers(), options.registryPort()));
        registry = new RestSchemaRegistryClient(registryServer.url());
        for (TopicSpec<?> topic : Topics.all()) {
            if (topic.valueType() != null) {
                registry.setCompatibility(topic.valueSubject(), AvroCompatibility.Level.FULL);
            }
        }

        if (options.simulated()) {
            List<RegionListener> listeners = options.regions().stream()
                    .map(r -> new RegionListener(r, 0, REGION_DELAY_MS.getOrDefault(r, 25.0))).toList();
            // One simulated SKU demands a key, as a hosted API does: the demo exercises the path of a
            // secret from the environment to the Authorization header and nowhere else.
            List<SkuSpec> specs = DefaultFleet.specs().stream()
                    .map(s -> s.endpointId().equals(DefaultFleet.ACME_FP8) ? s.toBuilder().apiKey(demoKey).build() : s)
                    .toList();
            simulator = register(Simulator.start(specs, listeners));
            catalog = demoCatalog(simulator, options.regions().get(0));
        }
        view = register(new LiveView(kafka.bootstrapServers(), registry, ""));
        view.start();
        api = register(StatusApi.start(view, options.apiPort()));

        out.printf("bootstrap=%s registry=%s api=%s out=%s%n", kafka.bootstrapServers(), registryServer.url(),
                api.url(), options.outDir().toAbsolutePath());

        // Scoring first so its consumers are in place before the first events.
        scoring = register(new ScoringApp(new ScoringConfig(scoringConfig()), registry));
        scoring.start();
        out.printf("dashboard=%s%n", dashboardUrl());

        connect = register(EmbeddedConnect.start(kafka.bootstrapServers(), options.workDir().resolve("connect.offsets"), 0,
                Map.of("consumer.isolation.level", "read_committed", "offset.flush.interval.ms", "1000")));
        Map<String, String> snapshot = sinkDefaults(SnapshotSinkConnector.class, Topics.LEADERBOARD.name());
        snapshot.put(SnapshotSinkConfig.SNAPSHOT_DIR, options.outDir().toAbsolutePath().toString());
        connect.putConnector(SNAPSHOT_CONNECTOR, snapshot);
        Map<String, String> jsonl = sinkDefaults(JsonLinesSinkConnector.class,
                Topics.ALERTS.name() + "," + Topics.PROBE_RESULTS.name());
        jsonl.put(JsonLinesSinkConfig.JSONL_DIR, options.outDir().toAbsolutePath().toString());
        jsonl.put(JsonLinesSinkConfig.JSONL_FILES, Topics.ALERTS.name() + ":alerts.jsonl,"
                + Topics.PROBE_RESULTS.name() + ":probe-results.jsonl");
        connect.putConnector(JSONL_CONNECTOR, jsonl);
        for (Map.Entry<String, Map<String, String>> sink
                : options.sinks().connectorConfigs(registryServer.url(), this::env).entrySet()) {
            connect.putConnector(sink.getKey(), sink.getValue());
            out.printf("%s: connector running%n", sink.getKey());
        }

        // Compressed event time starts in the past and reaches the present as the run ends, so no
        // record is stamped in the future: brokers refuse timestamps more than an hour ahead
        // (message.timestamp.after.max.ms) and retention would misjudge them. Created only now,
        // when the producers start, so start-up time is not compressed into the future either.
        long compressedAway = (long) (options.duration().toMillis() * (options.timeFactor() - 1));
        clock = new CompressedClock(Instant.now().minusMillis(compressedAway), options.timeFactor(), ticker);
        List<Endpoint> endpoints = catalog.endpoints().stream().map(e -> e.toEndpoint(clock.millis())).toList();
        energyFeed = register(new EnergyFeed(catalog, GridTable.defaults(),
                register(new KafkaFeedSink(kafka.bootstrapServers(), registry)), clock));
        energyFeed.publishOnce();
        energyFeed.start(options.probeInterval());

        for (String region : options.regions()) {
            List<Endpoint> regional = simulator == null ? endpoints : endpoints.stream()
                    .map(e -> Endpoint.newBuilder(e).setBaseUrl(simulator.baseUrl(region, e.getEndpointId())).build())
                    .toList();
            int count = region.equals(options.regions().get(0)) ? options.firstRegionAgents() : 1;
            for (int index = 0; index < count; index++) {
                ProbeAgentConfig config = new ProbeAgentConfig(probeConfig(region, index));
                // Each agent spools to its own directory (the spool is locked by its owner) so a Kafka
                // outage loses nothing; results reach Kafka in order and exactly once.
                SpoolingResultSink sink = register(SpoolingResultSink.create(config, registry));
                probeSinks.add(sink);
                // Heartbeats carry wall time, not the compressed event clock: a peer's age must be real.
                KafkaMembership membership = register(KafkaMembership.start(config, registry, Clock.systemUTC(), ticker));
                memberships.add(membership);
                AgentTally tally = new AgentTally(region, config.agentId(), sink);
                tallies.add(tally);
                agents.add(register(new ProbeAgent(config, () -> regional, tally, clock, ticker, this::env,
                        new ProbeMetrics(), energyFeed::currentPrice, membership)));
            }
        }
        awaitPeers(REGION_AGENTS_MEET);
        evalSink = register(new KafkaEvalSink(kafka.bootstrapServers(), registry));
        List<Endpoint> evalEndpoints = simulator == null ? endpoints : endpoints.stream()
                .map(e -> Endpoint.newBuilder(e).setBaseUrl(simulator.baseUrl(options.regions().get(0), e.getEndpointId())).build())
                .toList();
        evalWorker = register(new EvalWorker(new EvalConfig(evalConfig()), () -> evalEndpoints,
                energyFeed::currentPrice, evalSink, clock, this::env));
        agents.forEach(ProbeAgent::start);
        evalWorker.start();
    }

    /**
     * Waits until every local agent sees all local agents of its region, so the first round is
     * already split (an agent that started alone would probe the whole region once). On timeout the
     * run goes on: a round or two probe some endpoints twice, none is missed.
     */
    private void awaitPeers(Duration timeout) {
        Map<String, Long> perRegion = tallies.stream().collect(Collectors.groupingBy(AgentTally::region, Collectors.counting()));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < memberships.size(); i++) {
            long expected = perRegion.get(tallies.get(i).region());
            while (memberships.get(i).liveAgents().size() < expected) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.warn("agent {} sees {} of the {} agents of its region after {}; starting anyway",
                            tallies.get(i).agentId(), memberships.get(i).liveAgents(), expected, timeout);
                    return;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Environment lookup for API keys; the simulated fleet's key variable resolves to the demo key. */
    private String env(String name) {
        if (simulator != null && DEMO_KEY_ENV.equals(name)) {
            return demoKey;
        }
        return System.getenv(name);
    }

    private static Catalog demoCatalog(Simulator simulator, String region) {
        try (InputStream in = ArenaStack.class.getResourceAsStream("/demo-catalog.yaml")) {
            String yaml = new String(Objects.requireNonNull(in, "demo-catalog.yaml missing").readAllBytes(),
                    StandardCharsets.UTF_8);
            return Catalog.parse(yaml.replace("${SIM_URL}", "http://127.0.0.1:" + simulator.port(region)), "demo-catalog.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo catalogue", e);
        }
    }

    private Map<String, Object> common() {
        Map<String, Object> m = new HashMap<>();
        m.put(CommonConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        m.put(CommonConfig.SCHEMA_REGISTRY_URL, registryServer.url());
        return m;
    }

    private Map<String, Object> probeConfig(String region, int index) {
        Map<String, Object> m = common();
        m.put(ProbeAgentConfig.REGION, region);
        // Stable across runs: a compacted heartbeat topic keeps one record per id ever used.
        m.put(ProbeAgentConfig.AGENT_ID, "probe-" + region + "-" + index);
        long roundMs = options.probeInterval().toMillis();
        m.put(ProbeAgentConfig.ROUND_INTERVAL_MS, Long.toString(roundMs));
        // Liveness over 4 heartbeats, 80% of a round, rather than the default 3 x round/10: on a
        // busy two-core machine a peer's heartbeat thread may stall for a second or more, and a peer
        // wrongly seen dead makes the other agent probe the whole region that round.
        m.put(ProbeAgentConfig.HEARTBEAT_INTERVAL_MS, Long.toString(Math.max(1, Math.min(10_000L, roundMs / 5))));
        m.put(ProbeAgentConfig.HEARTBEAT_LIVENESS_MULTIPLE, "4");
        m.put(ProbeAgentConfig.INPUT_TOKENS, join(options.inputTokens()));
        m.put(ProbeAgentConfig.CONCURRENCY, join(options.concurrency()));
        m.put(ProbeAgentConfig.NEEDLE_LENGTHS, join(options.needleLengths()));
        m.put(ProbeAgentConfig.NEEDLE_EVERY_ROUNDS, Integer.toString(options.needleEveryRounds()));
        m.put(ProbeAgentConfig.MAX_TOKENS, "48");
        m.put(ProbeAgentConfig.CANARY_COUNT, "2");
        // The first agent of a region keeps the directory of the one-agent layout, so results a
        // previous run left pending there are still delivered.
        m.put(ProbeAgentConfig.SPOOL_DIR, options.workDir().resolve("spool")
                .resolve(index == 0 ? region : region + "-" + index).toString());
        return m;
    }

    private Map<String, Object> evalConfig() {
        Map<String, Object> m = common();
        m.put(EvalConfig.INTERVAL_MS, Long.toString(options.evalInterval().toMillis()));
        m.put(EvalConfig.ITEMS_PER_ROUND, Integer.toString(options.evalItemsPerRound()));
        m.put(EvalConfig.FINGERPRINT_PROMPTS_PER_ROUND, Integer.toString(options.fingerprintPromptsPerRound()));
        m.put(EvalConfig.STATE_DIR, options.workDir().resolve("eval-state").toString());
        if (options.simulated()) {
            m.put(EvalConfig.FINGERPRINT_PROMPT_LIMIT, "32");
            // room for the reasoning SKU's 24 reasoning tokens before its compared content
            m.put(EvalConfig.FINGERPRINT_MAX_TOKENS, "40");
        }
        return m;
    }

    private Map<String, Object> scoringConfig() {
        Map<String, Object> m = common();
        m.put(ScoringConfig.APPLICATION_ID, SCORING_APP_ID);
        m.put(ScoringConfig.STATE_DIR, options.workDir().resolve("streams").toString());
        // the query API and its dashboard page, on a free port of this host (printed at start)
        m.put(ScoringConfig.API_PORT, "0");
        m.put(ScoringConfig.API_HOST, "localhost");
        return m;
    }

    /** What every TokenArena sink connector needs: our wire contract, the registry, the DLQ. */
    private Map<String, String> sinkDefaults(Class<?> connector, String topics) {
        return OutputSinks.defaults(connector, topics, registryServer.url());
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Applies the demo's scheduled silent change (simulated fleet only). */
    void quantizeSilently() {
        if (simulator != null) {
            simulator.update(DefaultFleet.SILENT_QUANTIZATION_TARGET, DefaultFleet.silentQuantization());
            LOG.info("simulator: {} silently switched to a quantized model", DefaultFleet.SILENT_QUANTIZATION_TARGET);
        }
    }

    /**
     * The demo's scheduled price cut (simulated fleet only): rocket's output price drops from
     * 3.50 to 2.80 USD per 1M tokens, which the price drift rule reports and the presets re-rank.
     */
    void cutPrice() {
        if (simulator != null) {
            energyFeed.updatePrice(DefaultFleet.ROCKET, new CatalogEntry.Price(2.50, 2.80, null, 0.0));
            energyFeed.publishOnce();
            LOG.info("feed: {} output price cut to 2.80 USD/Mtok", DefaultFleet.ROCKET);
        }
    }

    /** Reverts the demo's scheduled change. */
    void revertQuantization() {
        if (simulator != null) {
            simulator.update(DefaultFleet.SILENT_QUANTIZATION_TARGET, DefaultFleet.revertSilentQuantization());
            LOG.info("simulator: {} reverted to its original model", DefaultFleet.SILENT_QUANTIZATION_TARGET);
        }
    }

    /** Stops the producers (agents, eval, feed) so the pipeline can drain. */
    void stopProducers() {
        agents.forEach(this::closeQuietly);
        // Only once no agent probes any more: a tombstone would hand its share to a peer mid-round.
        memberships.forEach(this::closeQuietly);
        closeQuietly(evalWorker);
        closeQuietly(energyFeed);
        for (SpoolingResultSink sink : probeSinks) {
            if (!sink.awaitDrained(Duration.ofSeconds(30))) {
                LOG.warn("probe spool not drained: {} results still pending (kept on disk for the next run)",
                        sink.pendingRecords());
            }
        }
        closeQuietly(evalSink);
    }

    /**
     * Waits until the scoring application has committed everything on its inputs and the sinks
     * everything on theirs, or until the timeout; returns whether it drained fully.
     */
    boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Set<String>> groups = Map.of(
                SCORING_APP_ID, Set.of(Topics.PROBE_RESULTS.name(), Topics.EVAL_RESULTS.name(), Topics.EVAL_FINGERPRINTS.name()),
                "connect-" + SNAPSHOT_CONNECTOR, Set.of(Topics.LEADERBOARD.name()),
                "connect-" + JSONL_CONNECTOR, Set.of(Topics.ALERTS.name(), Topics.PROBE_RESULTS.name()));
        Map<String, Long> lags = new HashMap<>();
        try (Admin admin = kafka.admin()) {
            while (System.nanoTime() < deadline) {
                for (var g : groups.entrySet()) {
                    lags.put(g.getKey(), lag(admin, g.getKey(), g.getValue()));
                }
                if (lags.values().stream().allMatch(l -> l == 0)) {
                    return true;
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("cannot measure consumer lag: {}", e.toString());
        }
        LOG.warn("pipeline not fully drained after {}: records behind per consumer group {}", timeout, lags);
        return false;
    }

    private static long lag(Admin admin, String group, Set<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String topic : topics) {
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(request,
                new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long end = e.getValue().offset();
            // transaction markers take an offset: a group is caught up when within one of the end
            lag += Math.max(0, end - (c == null ? 0 : c.offset()) - (c == null ? 0 : 1));
        }
        return lag;
    }

    /** The scoring application's Streams state, for the progress line. */
    String scoringState() {
        return scoring.state().name();
    }

    LiveView view() {
        return view;
    }

    long probeResults() {
        return agents.stream().mapToLong(ProbeAgent::published).sum();
    }

    /** What each local probe agent has probed so far, in start order (region by region). */
    List<AgentTally.Share> agentShares() {
        return tallies.stream().map(AgentTally::share).toList();
    }

    /** Endpoints every region's agents share between them. */
    int catalogueSize() {
        return catalog.endpoints().size();
    }

    Simulator simulator() {
        return simulator;
    }

    Clock clock() {
        return clock;
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The scoring API's dashboard page (the query API on a free port of this host). */
    String dashboardUrl() {
        return scoring.api().map(a -> "http://" + a.advertised() + "/").orElseThrow();
    }

    String registryUrl() {
        return registryServer.url();
    }

    String apiUrl() {
        return api.url();
    }

    private <T extends AutoCloseable> T register(T closeable) {
        closeables.push(closeable);
        return closeable;
    }

    private void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }

    /** Closes everything in reverse start order; safe to call twice. */
    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            closeQuietly(closeables.pop());
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ArenaCli.BadInputException("cannot create directory " + dir + ": " + e.getMessage());
        }
    }

    static List<CatalogEntry> entries(Catalog catalog) {
        return catalog.endpoints();
    }
}
