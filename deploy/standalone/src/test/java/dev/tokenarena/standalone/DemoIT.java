package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.DeadLetters;
import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.simulator.DefaultFleet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole chain on real parts (KRaft broker, registry, simulator, four probe agents in three
 * regions, two of them sharing the first region by heartbeats, eval worker, feeds, Kafka Streams
 * with RocksDB and exactly-once, a Connect worker with the sinks), checked against the
 * simulator's known truth. One run, many assertions: starting the stack is the expensive part.
 */
class DemoIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RUN = Duration.ofSeconds(120);
    private static Path out;
    private static int exitCode;
    private static String console;
    private static final Map<String, List<GenericRecord>> TOPICS = new HashMap<>();
    private static final List<ConsumerRecord<byte[], byte[]>> DLQ = new ArrayList<>();
    private static final Map<String, Integer> UNRESOLVED_IDS = new HashMap<>();
    private static long framedRecords;

    /** Status, content type and whether it has a script, of the dashboard page while the demo ran. */
    private static String dashboard;

    @BeforeAll
    static void runDemo() throws Exception {
        out = Path.of(System.getProperty("java.io.tmpdir"), "demo-it-" + System.nanoTime());
        StackCommandOptions cli = new StackCommandOptions();
        cli.duration = RUN;
        cli.out = out;
        cli.kafkaPort = 0;
        cli.registryPort = 0;
        cli.apiPort = 0;
        cli.regions = List.of("us-east", "eu-central", "ap-southeast");
        StackOptions options = cli.toOptions(null, new StackCommandOptions.Pace(60, Duration.ofSeconds(5),
                Duration.ofSeconds(5), 2), List.of(1000, 8000), List.of(1, 4), List.of(1024, 4096, 16384, 32768, 65536));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        AtomicReference<Exception> inspection = new AtomicReference<>();
        exitCode = RunLoop.run(options, new PrintStream(buffer, true, StandardCharsets.UTF_8),
                stack -> poison(stack.bootstrapServers()),
                stack -> {
                    try {
                        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(stack.dashboardUrl())).GET().build(), HttpResponse.BodyHandlers.ofString());
                        dashboard = page.statusCode() + " " + page.headers().firstValue("content-type").orElse("")
                                + " " + page.body().contains("<script");
                        readTopics(stack.bootstrapServers(), stack.registryUrl());
                    } catch (Exception e) {
                        inspection.set(e);
                    }
                });
        console = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(console);
        if (inspection.get() != null) {
            throw inspection.get();
        }
    }

    /**
     * Reads every v1 topic as raw bytes and decodes each value using only the registry's REST
     * API: the 5-byte frame, GET /schemas/ids/{id}, Avro's generic reader. Nothing of ours.
     */
    private static void readTopics(String bootstrap, String registryUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Map<Integer, Schema> schemas = new HashMap<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (TopicSpec<?> topic : Topics.all()) {
                if (topic == Topics.SCHEMAS) {
                    continue;
                }
                List<TopicPartition> parts = consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
                List<GenericRecord> records = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (parts.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (topic == Topics.DLQ) {
                            DLQ.add(r);
                            continue;
                        }
                        if (r.value() == null) {
                            continue;
                        }
                        if (topic == Topics.PROBE_RESULTS && new String(r.key(), StandardCharsets.UTF_8).equals("poison")) {
                            continue; // the record this test injected on purpose
                        }
                        ByteBuffer frame = ByteBuffer.wrap(r.value());
                        assertEquals(0, frame.get(), "magic byte on " + topic.name());
                        int id = frame.getInt();
                        Schema schema = schemas.get(id);
                        if (schema == null) {
                            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(
                                    URI.create(registryUrl + "/schemas/ids/" + id)).GET().build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (resp.statusCode() != 200) {
                                UNRESOLVED_IDS.merge(topic.name(), 1, Integer::sum);
                                continue;
                            }
                            schema = new Schema.Parser().parse(JSON.readTree(resp.body()).get("schema").asText());
                            schemas.put(id, schema);
                        }
                        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(r.value(), 5, r.value().length - 5, null);
                        records.add(new GenericDatumReader<GenericRecord>(schema).read(null, decoder));
                        assertTrue(decoder.isEnd(), "trailing bytes on " + topic.name());
                        framedRecords++;
                    }
                }
                TOPICS.put(topic.name(), records);
            }
        }
    }

    @Test
    void shouldDecodeEveryValueOnEveryTopicUsingOnlyTheRegistryRestApi() {
        assertTrue(UNRESOLVED_IDS.isEmpty(), "ids that did not resolve: " + UNRESOLVED_IDS);
        for (TopicSpec<?> topic : List.of(Topics.ENDPOINTS, Topics.PROBE_RESULTS, Topics.EVAL_RESULTS,
                Topics.EVAL_FINGERPRINTS, Topics.PRICES, Topics.GRID, Topics.HARDWARE, Topics.COMPOSITES,
                Topics.LEADERBOARD, Topics.ALERTS)) {
            assertFalse(TOPICS.getOrDefault(topic.name(), List.of()).isEmpty(), "no records decoded on " + topic.name());
        }
        assertTrue(framedRecords > 1000, "decoded " + framedRecords);
    }

    @Test
    void shouldDivertMalformedRecordToDeadLetterTopicWithReasonAndKeepProcessing() {
        // The scoring application diverts it with our headers; the JSON-lines sink, which reads the
        // same topic, reports it through Connect's own DLQ with Connect's headers.
        ConsumerRecord<byte[], byte[]> poison = DLQ.stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals("poison"))
                .filter(r -> "scoring-streams".equals(DeadLetters.header(r.headers(), DeadLetters.COMPONENT)))
                .findFirst().orElseThrow(() -> new AssertionError("poison record not in " + Topics.DLQ.name()));
        assertEquals(Topics.PROBE_RESULTS.name(), DeadLetters.header(poison.headers(), DeadLetters.SOURCE_TOPIC));
        assertNotNull(DeadLetters.header(poison.headers(), DeadLetters.REASON));
        assertEquals("{not avro at all}", new String(poison.value(), StandardCharsets.UTF_8));
        // processing went on: composites were computed from probes published after the poison
        assertTrue(TOPICS.get(Topics.COMPOSITES.name()).size() > 10);
    }

    @Test
    void shouldCallFaithfulThirdPartyFaithfulBeforeItsChange() {
        List<GenericRecord> faithful = TOPICS.get(Topics.COMPOSITES.name()).stream()
                .filter(r -> r.get("endpoint_id").toString().equals(DefaultFleet.FAITHFUL))
                .filter(r -> r.get("preset").toString().equals("chat")).toList();
        assertFalse(faithful.isEmpty());
        // The first composites with a fidelity status: before the change at 35% of the run it is faithful.
        GenericRecord firstJudged = faithful.stream()
                .filter(r -> !r.get("fidelity_status").toString().equals("unknown")).findFirst().orElseThrow();
        assertEquals("faithful", firstJudged.get("fidelity_status").toString(), firstJudged.toString());
        assertTrue(faithful.stream().anyMatch(r -> Set.of("drifted", "modified").contains(r.get("fidelity_status").toString())),
                "never flagged after the change");
    }

    /** A record that is not wire-format Avro, on an input topic, mid-run. */
    private static void poison(String bootstrap) {
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.PROBE_RESULTS.name(), "poison".getBytes(StandardCharsets.UTF_8),
                    "{not avro at all}".getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static JsonNode leaderboard(String preset) throws Exception {
        Path file = out.resolve("leaderboard-" + preset + ".json");
        assertTrue(Files.exists(file), "missing " + file + "\n" + console);
        return JSON.readTree(file.toFile());
    }

    private static JsonNode row(JsonNode board, String endpointId) {
        for (JsonNode row : board.get("rows")) {
            if (row.get("endpoint_id").asText().equals(endpointId)) {
                return row;
            }
        }
        throw new AssertionError(endpointId + " not in leaderboard " + board.get("preset"));
    }

    @Test
    void shouldExitZeroAndPrintWhereThingsAre() {
        assertEquals(0, exitCode, console);
        assertTrue(console.contains("bootstrap=127.0.0.1:"), console);
        assertTrue(console.contains("registry=http://"), console);
        assertTrue(console.contains("api=http://"), console);
        assertTrue(console.contains("dashboard=http://localhost:"), console);
        assertEquals("200 text/html; charset=utf-8 true", dashboard);
    }

    @Test
    void shouldListEverySimulatedEndpointWithEveryFieldFilledInEachPreset() throws Exception {
        List<String> fields = List.of("rank", "endpoint_id", "provider", "model", "sku", "region", "score",
                "output_tps_p50", "ttft_ms_p50", "ttft_ms_p99", "blended_usd_per_mtok", "accuracy", "usd_per_correct",
                "j_per_token", "j_per_correct", "gco2_per_mtok", "fidelity", "fidelity_status", "effective_context_tokens");
        for (String preset : List.of("chat", "rag", "reasoning")) {
            JsonNode board = leaderboard(preset);
            Set<String> ids = new HashSet<>();
            for (JsonNode row : board.get("rows")) {
                String id = row.get("endpoint_id").asText();
                ids.add(id);
                for (String f : fields) {
                    // F needs top-k logprobs: the one endpoint without them has none, by design
                    if (f.equals("fidelity") && id.equals(DefaultFleet.NO_LOGPROBS)) {
                        assertTrue(row.get(f).isNull(), preset + " F of an endpoint without logprobs: " + row);
                        continue;
                    }
                    assertTrue(row.hasNonNull(f), preset + " " + id + " lacks " + f + ": " + row);
                }
                for (String f : List.of("speed", "ttft", "price", "quality", "reliability")) {
                    assertTrue(row.get("factors").hasNonNull(f), preset + " factor " + f);
                }
            }
            assertEquals(Set.copyOf(DefaultFleet.specs().stream().map(s -> s.endpointId()).toList()), ids, preset);
        }
    }

    @Test
    void shouldRankHeavilyQuantizedSkuLowestOnFidelityAndNotFaithful() throws Exception {
        JsonNode chat = leaderboard("chat");
        double budget = row(chat, DefaultFleet.BUDGET_INT4).get("fidelity").asDouble();
        for (JsonNode row : chat.get("rows")) {
            String id = row.get("endpoint_id").asText();
            if (!id.equals(DefaultFleet.BUDGET_INT4) && !id.equals(DefaultFleet.NO_LOGPROBS)) {
                assertTrue(row.get("fidelity").asDouble() > budget, row.get("endpoint_id") + " vs budget " + budget);
            }
        }
        assertFalse(row(chat, DefaultFleet.BUDGET_INT4).get("fidelity_status").asText().equals("faithful"));
        assertEquals("faithful", row(chat, DefaultFleet.ROCKET).get("fidelity_status").asText());
    }

    @Test
    void shouldOpenFidelityAlertForSilentlyQuantizedSkuAndResolveAfterRevert() throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            alerts.add(JSON.readTree(line));
        }
        List<JsonNode> faithful = alerts.stream()
                .filter(a -> a.get("endpoint_id").asText().equals(DefaultFleet.FAITHFUL))
                .filter(a -> a.get("kind").asText().equals("FIDELITY")).toList();
        assertFalse(faithful.isEmpty(), "no fidelity alert for " + DefaultFleet.FAITHFUL + ": " + alerts);
        assertEquals("OPEN", faithful.get(0).get("state").asText());
        assertTrue(faithful.get(0).get("evidence").get("current").asDouble() < 97.0, faithful.get(0).toString());
        // one OPEN per (endpoint, kind) until it resolves
        long opens = faithful.stream().filter(a -> a.get("state").asText().equals("OPEN")).count();
        long resolved = faithful.stream().filter(a -> a.get("state").asText().equals("RESOLVED")).count();
        assertTrue(opens - resolved <= 1 && opens >= resolved, faithful.toString());
    }

    /** The newest 1 h board of a preset as the scoring application wrote it (every composite field). */
    private static GenericRecord latestBoard(String preset) {
        List<GenericRecord> boards = TOPICS.get(Topics.LEADERBOARD.name()).stream()
                .filter(b -> b.get("preset").toString().equals(preset))
                .filter(b -> b.get("window").toString().equals(Topics.MAIN_WINDOW)).toList();
        assertFalse(boards.isEmpty(), "no " + preset + " board on " + Topics.LEADERBOARD.name());
        return boards.get(boards.size() - 1);
    }

    private static GenericRecord composite(GenericRecord board, String endpointId) {
        for (Object row : (List<?>) board.get("rows")) {
            GenericRecord c = (GenericRecord) ((GenericRecord) row).get("composite");
            if (c.get("endpoint_id").toString().equals(endpointId)) {
                return c;
            }
        }
        throw new AssertionError(endpointId + " not on board " + board.get("preset"));
    }

    @Test
    void shouldJudgeTheEndpointWithoutLogprobsBySampleTestAndPrintItsPValueForF() {
        GenericRecord opaque = composite(latestBoard("chat"), DefaultFleet.NO_LOGPROBS);
        assertEquals("sample_test", opaque.get("fidelity_method").toString(), opaque.toString());
        assertEquals(null, opaque.get("fidelity"));
        Double p = (Double) opaque.get("fidelity_p_value");
        assertNotNull(p, opaque.toString());
        // a permutation p-value over 200 relabellings lies in [1/201, 1]
        assertTrue(p >= 1.0 / 201 && p <= 1.0, "p " + p);
        assertTrue((Integer) opaque.get("fidelity_endpoint_samples") >= 2, opaque.toString());
        // its completions are the reference's (no systematic noise): judged faithful, never left unknown
        assertEquals("faithful", opaque.get("fidelity_status").toString(), opaque.toString());
        // every endpoint with logprobs keeps F from the logprob comparison
        for (Object row : (List<?>) latestBoard("chat").get("rows")) {
            GenericRecord c = (GenericRecord) ((GenericRecord) row).get("composite");
            if (!c.get("endpoint_id").toString().equals(DefaultFleet.NO_LOGPROBS)) {
                assertEquals("skl", c.get("fidelity_method").toString(), c.toString());
                assertNotNull(c.get("fidelity"), c.toString());
            }
        }
        assertTrue(console.matches("(?s).*\\n +\\d+ " + DefaultFleet.NO_LOGPROBS + " .* p=\\d\\.\\d\\d faithful .*"), console);
        assertTrue(console.contains("fidelity of " + DefaultFleet.NO_LOGPROBS + " (no logprobs, so no F): p="), console);
    }

    @Test
    void shouldPriceTheSelfHostedEndpointPerMillionTokensFromItsGpuHoursAndMeasuredThroughput() throws Exception {
        GenericRecord inhouse = composite(latestBoard("chat"), DefaultFleet.SELF_HOSTED);
        Double usd = (Double) inhouse.get("self_hosted_usd_per_mtok");
        Double tps = (Double) inhouse.get("self_hosted_aggregate_output_tps");
        assertNotNull(usd, inhouse.toString());
        // demo-catalog.yaml: 2 GPUs x 2.50 USD/h = 5 USD/h, so usd = 5 / (tps x 3600) x 1e6
        assertEquals(5.0, usd * tps * 3600 / 1e6, 1e-9);
        // chat has a latency SLO both probed levels (1 and 4) meet, so the higher-throughput one prices it;
        // 4 streams of at most 70 tok/s (+5% jitter), less for TTFT inside e2e
        assertEquals(4, inhouse.get("self_hosted_concurrency"));
        assertEquals(Boolean.TRUE, inhouse.get("self_hosted_slo_met"));
        assertTrue(tps > 100 && tps <= 4 * 70 * 1.05, "aggregate tok/s " + tps);
        // the catalogue also quotes a token price, which wins: chat 3:1 -> (3 x 0.50 + 0.70) / 4 = 0.55
        assertEquals("token_price", inhouse.get("price_basis").toString());
        assertEquals(0.55, row(leaderboard("chat"), DefaultFleet.SELF_HOSTED).get("blended_usd_per_mtok").asDouble(), 1e-9);
        assertTrue(console.contains("self-hosted " + DefaultFleet.SELF_HOSTED + ": "), console);
    }

    @Test
    void shouldSplitTheSharedRegionBetweenItsTwoAgentsAndLeaveOtherRegionsWhole() throws Exception {
        Map<String, Map<String, Set<String>>> byRegion = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("probe-results.jsonl"))) {
            JsonNode r = JSON.readTree(line);
            byRegion.computeIfAbsent(r.get("region").asText(), k -> new HashMap<>())
                    .computeIfAbsent(r.get("agent_id").asText(), k -> new HashSet<>()).add(r.get("endpoint_id").asText());
        }
        Set<String> fleet = Set.copyOf(DefaultFleet.specs().stream().map(s -> s.endpointId()).toList());
        Map<String, Set<String>> shared = byRegion.get("us-east");
        assertEquals(Set.of("probe-us-east-0", "probe-us-east-1"), shared.keySet(), shared.toString());
        Set<String> a = shared.get("probe-us-east-0");
        Set<String> b = shared.get("probe-us-east-1");
        assertFalse(a.isEmpty() || b.isEmpty(), shared.toString());
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        assertTrue(both.isEmpty(), "probed by both agents: " + both);
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        assertEquals(fleet, union);
        for (String region : List.of("eu-central", "ap-southeast")) {
            assertEquals(Map.of("probe-" + region + "-0", fleet), byRegion.get(region), region);
        }
        // the end-of-run table says the same
        assertTrue(console.contains("Probe agents (" + fleet.size() + " endpoints per region)"), console);
        assertTrue(console.matches("(?s).*us-east +probe-us-east-0 +" + a.size() + "/" + fleet.size() + " .*"), console);
        assertTrue(console.matches("(?s).*us-east +probe-us-east-1 +" + b.size() + "/" + fleet.size() + " .*"), console);
    }

    @Test
    void shouldNeverWriteTheDemoApiKeyToAnyTopicStateOrFile() throws Exception {
        // The acme SKU demands a per-run key "sk-demo-<uuid>" from the environment lookup. Every
        // byte the run left behind is under <out>: output files, broker log segments (every topic),
        // RocksDB state, Connect offsets. None may contain the key's prefix.
        byte[] needle = "sk-demo-".getBytes(StandardCharsets.UTF_8);
        List<Path> leaks = new ArrayList<>();
        try (var files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                    leaks.add(file);
                }
            }
        }
        assertTrue(leaks.isEmpty(), "demo key found in " + leaks);
        assertTrue(console.indexOf("sk-demo-") < 0, "demo key on the console");
        // and the keyed SKU was really probed with it (a 401 would give no OK results)
        assertTrue(Files.readAllLines(out.resolve("probe-results.jsonl")).stream()
                .anyMatch(l -> l.contains(DefaultFleet.ACME_FP8) && l.contains("\"outcome\":\"OK\"")));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void shouldReportThePriceCutAsPriceAlertAndScoreWithTheNewPrice() throws Exception {
        assertTrue(Files.readAllLines(out.resolve("alerts.jsonl")).stream().map(DemoIT::json)
                .anyMatch(a -> a.get("kind").asText().equals("PRICE")
                        && a.get("endpoint_id").asText().equals(DefaultFleet.ROCKET)), "no PRICE alert for rocket");
        // chat 3:1 after the cut: (3*2.50 + 2.80)/4 = 2.575
        assertEquals(2.575, row(leaderboard("chat"), DefaultFleet.ROCKET).get("blended_usd_per_mtok").asDouble(), 1e-9);
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldHaveProbeResultsFromAllThreeRegions() throws Exception {
        Set<String> regions = new HashSet<>();
        for (String line : Files.readAllLines(out.resolve("probe-results.jsonl"))) {
            regions.add(JSON.readTree(line).get("region").asText());
        }
        assertEquals(Set.of("us-east", "eu-central", "ap-southeast"), regions);
    }

    @Test
    void shouldReproduceConfiguredPricesExactly() throws Exception {
        // from demo-catalog.yaml: budget in 0.10 out 1.60; chat 3:1 -> (3*0.10 + 1.60)/4 = 0.475,
        // rag 20:1 -> (2.0 + 1.6)/21 = 0.171428..., reasoning 1:5 -> (0.10 + 8.0)/6 = 1.35
        assertEquals(0.475, row(leaderboard("chat"), DefaultFleet.BUDGET_INT4).get("blended_usd_per_mtok").asDouble(), 1e-9);
        assertEquals(3.6 / 21, row(leaderboard("rag"), DefaultFleet.BUDGET_INT4).get("blended_usd_per_mtok").asDouble(), 1e-9);
        assertEquals(1.35, row(leaderboard("reasoning"), DefaultFleet.BUDGET_INT4).get("blended_usd_per_mtok").asDouble(), 1e-9);
    }

    @Test
    void shouldMeasureAccuracyAndSpeedAsConfiguredWithinTolerance() throws Exception {
        JsonNode chat = leaderboard("chat");
        // simulator truth: accuracy 0.90 (36 of 40 items) for reference and rocket, 0.75 for budget
        assertEquals(0.90, row(chat, DefaultFleet.REFERENCE).get("accuracy").asDouble(), 0.06);
        assertEquals(0.90, row(chat, DefaultFleet.ROCKET).get("accuracy").asDouble(), 0.06);
        assertEquals(0.75, row(chat, DefaultFleet.BUDGET_INT4).get("accuracy").asDouble(), 0.06);
        // decode rates 300, 150, 60, 25 tok/s: per-stream speed within 15% (1% sketch error + scheduling jitter)
        assertEquals(300, row(chat, DefaultFleet.ROCKET).get("output_tps_p50").asDouble(), 45);
        assertEquals(150, row(chat, DefaultFleet.ACME_FP8).get("output_tps_p50").asDouble(), 22.5);
        assertEquals(60, row(chat, DefaultFleet.REFERENCE).get("output_tps_p50").asDouble(), 9);
        assertEquals(25, row(chat, DefaultFleet.SLOWCHEAP).get("output_tps_p50").asDouble(), 3.75);
        // scheduled TTFT: rocket 80 ms, slowcheap 900 ms, plus 10-90 ms network and up to 160 ms prefill
        double rocket = row(chat, DefaultFleet.ROCKET).get("ttft_ms_p50").asDouble();
        double slow = row(chat, DefaultFleet.SLOWCHEAP).get("ttft_ms_p50").asDouble();
        assertTrue(rocket >= 80 && rocket < 80 + 90 + 160 + 60, "rocket ttft " + rocket);
        assertTrue(slow >= 900 && slow < 900 + 90 + 160 + 120, "slowcheap ttft " + slow);
    }

    @Test
    void shouldMoveRankingBetweenPresetsTheWayPricesSay() throws Exception {
        // Prices at the end of the run (rocket cut its output price to 2.80 at half time):
        // rocket rag (20*2.50 + 2.80)/21 = 2.514286, reasoning (2.50 + 5*2.80)/6 = 2.75;
        // budget (in 0.10, out 1.60) rag 0.171429 (the cohort's cheapest: price factor 1.0),
        // reasoning 1.35, between slowcheap 0.333333 and rocket 2.75: (2.75-1.35)/(2.75-0.333333) = 0.579310.
        double budgetRag = row(leaderboard("rag"), DefaultFleet.BUDGET_INT4).get("factors").get("price").asDouble();
        double budgetReasoning = row(leaderboard("reasoning"), DefaultFleet.BUDGET_INT4).get("factors").get("price").asDouble();
        assertEquals(1.0, budgetRag, 1e-9);
        assertEquals((2.75 - 1.35) / (2.75 - 2.0 / 6), budgetReasoning, 1e-6);
        // turbo (in 1.40, out 0.20) the other way: rag 1.342857 -> (2.514286-1.342857)/(2.514286-0.171429) = 0.5,
        // reasoning 0.40 -> (2.75-0.40)/(2.75-0.333333) = 0.972414
        assertEquals(0.5, row(leaderboard("rag"), DefaultFleet.ACME_FP8).get("factors").get("price").asDouble(), 1e-3);
        assertEquals(0.972, row(leaderboard("reasoning"), DefaultFleet.ACME_FP8).get("factors").get("price").asDouble(), 1e-3);
        int rankRag = row(leaderboard("rag"), DefaultFleet.BUDGET_INT4).get("rank").asInt();
        int rankReasoning = row(leaderboard("reasoning"), DefaultFleet.BUDGET_INT4).get("rank").asInt();
        assertTrue(rankRag < rankReasoning, "budget rag rank " + rankRag + " reasoning " + rankReasoning);
        assertFalse(order(leaderboard("chat")).equals(order(leaderboard("rag"))), "chat and rag rank alike");
    }

    private static List<String> order(JsonNode board) {
        List<String> ids = new ArrayList<>();
        board.get("rows").forEach(r -> ids.add(r.get("endpoint_id").asText()));
        return ids;
    }
}
