package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSinkTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = Topics.LEADERBOARD.name();

    /** The output contract of DESIGN section 9, written out here so a change to the code cannot pass unseen. */
    private static final List<String> CONTRACT_ROW_FIELDS = List.of("rank", "endpoint_id", "provider", "model", "sku",
            "region", "score", "factors", "output_tps_p50", "ttft_ms_p50", "ttft_ms_p99", "blended_usd_per_mtok",
            "accuracy", "usd_per_correct", "j_per_token", "j_per_correct", "gco2_per_mtok", "fidelity",
            "fidelity_status", "effective_context_tokens");

    @TempDir
    Path dir;

    private final List<SnapshotSinkTask> started = new ArrayList<>();

    @AfterEach
    void stopTasks() {
        started.forEach(SnapshotSinkTask::stop);
    }

    private SnapshotSinkTask task(FakeSinkTaskContext context, Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                "name", "snapshots",
                SnapshotSinkConfig.SNAPSHOT_DIR, dir.toString(),
                SnapshotSinkConfig.SCHEMA_REGISTRY_URL, "http://registry.test:8081",
                SnapshotSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, InMemoryRegistryFactory.class.getName()));
        props.putAll(overrides);
        SnapshotSinkTask task = new SnapshotSinkTask();
        task.initialize(context);
        task.start(props);
        started.add(task);
        return task;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteContractJsonWhenSnapshotArrives() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of());

        task.put(List.of(Fixtures.record(TOPIC, 3, 41, "chat", Fixtures.encodedSnapshot(
                Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))));

        JsonNode doc = JSON.readTree(dir.resolve("leaderboard-chat.json").toFile());
        assertEquals(List.of("preset", "window", "generated_at", "config_hash", "rows", "provenance"), names(doc));
        assertEquals("chat", doc.get("preset").asText());
        assertEquals("1h", doc.get("window").asText());
        // 1_767_229_200_000 ms = 2026-01-01T01:00:00Z (1_767_225_600 s is 2026-01-01T00:00:00Z, plus one hour).
        assertEquals("2026-01-01T01:00:00Z", doc.get("generated_at").asText());
        assertEquals(Fixtures.CONFIG_HASH, doc.get("config_hash").asText());

        JsonNode rows = doc.get("rows");
        assertEquals(2, rows.size());
        JsonNode first = rows.get(0);
        assertEquals(CONTRACT_ROW_FIELDS, names(first).subList(0, CONTRACT_ROW_FIELDS.size()),
                "contract fields first, in the contract's order");
        assertEquals(List.of("speed", "ttft", "price", "quality", "reliability"), names(first.get("factors")));
        assertEquals(1, first.get("rank").asInt());
        assertEquals("acme-llama70b-fp8-use1", first.get("endpoint_id").asText());
        assertEquals("acme", first.get("provider").asText());
        assertEquals("llama-3.3-70b", first.get("model").asText());
        assertEquals("turbo", first.get("sku").asText());
        assertEquals("us-east", first.get("region").asText());
        assertEquals(87.5, first.get("score").asDouble());
        assertEquals(0.75, first.get("factors").get("ttft").asDouble());
        assertEquals(142.5, first.get("output_tps_p50").asDouble());
        assertEquals(210.0, first.get("ttft_ms_p50").asDouble());
        assertEquals(880.0, first.get("ttft_ms_p99").asDouble());
        assertEquals(0.88, first.get("blended_usd_per_mtok").asDouble());
        assertEquals(0.8, first.get("accuracy").asDouble());
        assertEquals(0.0011, first.get("usd_per_correct").asDouble());
        assertEquals(0.35, first.get("j_per_token").asDouble());
        assertEquals(437.5, first.get("j_per_correct").asDouble());
        assertEquals(45.5, first.get("gco2_per_mtok").asDouble());
        assertEquals(92.1, first.get("fidelity").asDouble());
        assertEquals("drifted", first.get("fidelity_status").asText());
        assertEquals(65536L, first.get("effective_context_tokens").asLong());
        assertEquals(310.0, first.get("ttft_ms_p50_by_region").get("eu-central").asDouble());

        JsonNode second = rows.get(1);
        assertEquals(2, second.get("rank").asInt());
        assertEquals("base-llama70b-bf16-euc1", second.get("endpoint_id").asText());
        assertEquals(62.25, second.get("score").asDouble());
        assertTrue(second.get("accuracy").isNull(), "missing figures are null, not 0");
        assertTrue(second.get("usd_per_correct").isNull());
        assertTrue(second.get("effective_context_tokens").isNull());
        assertEquals("reference", second.get("fidelity_status").asText());

        JsonNode provenance = doc.get("provenance");
        assertEquals("2026-01-01T00:00:00Z", provenance.get("window_start").asText());
        assertEquals("2026-01-01T01:00:00Z", provenance.get("window_end").asText());
        assertEquals("CC BY 4.0", provenance.get("license").asText());
        assertEquals(TOPIC, provenance.get("source_topic").asText());
        assertEquals(3, provenance.get("partition").asInt());
        assertEquals(41, provenance.get("offset").asLong());
        assertEquals("http://registry.test:8081", provenance.get("registry_url").asText());
        assertTrue(provenance.get("schema_id").asInt() > 0);
    }

    @Test
    void shouldWriteExactCsvWhenSnapshotArrives() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of());

        task.put(List.of(Fixtures.record(TOPIC, 0, 0, "chat", Fixtures.encodedSnapshot(
                Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))));

        List<String> lines = List.of(read(dir.resolve("leaderboard-chat.csv")).split("\r\n"));
        assertEquals(3, lines.size(), "header and two rows");
        assertEquals("preset,window,generated_at,config_hash,rank,endpoint_id,provider,model,sku,region,score,"
                + "factors.speed,factors.ttft,factors.price,factors.quality,factors.reliability,output_tps_p50,"
                + "ttft_ms_p50,ttft_ms_p99,blended_usd_per_mtok,accuracy,usd_per_correct,j_per_token,j_per_correct,"
                + "gco2_per_mtok,fidelity,fidelity_status,effective_context_tokens,precision,success_rate,probe_count,"
                + "eval_count,accuracy_ci_low,accuracy_ci_high,ttft_ms_p90,ttfv_ms_p50,tpot_ms_p50,e2e_ms_p50,"
                + "tokens_to_solution,usd_per_correct_measured,j_per_token_low,j_per_token_high,kwh_per_mtok,"
                + "fidelity_noise_floor,fidelity_prompts,ttft_ms_p50_by_region", lines.get(0));
        List<String> twelveNulls = java.util.Collections.nCopies(12, "");
        List<String> first = new ArrayList<>(List.of("chat", "1h", "2026-01-01T01:00:00Z", Fixtures.CONFIG_HASH,
                "1", "acme-llama70b-fp8-use1", "acme", "llama-3.3-70b", "turbo", "us-east", "87.5",
                "1.0", "0.75", "1.0", "0.5", "1.0", "142.5", "210.0", "880.0", "0.88", "0.8", "0.0011", "0.35",
                "437.5", "45.5", "92.1", "drifted", "65536", "fp8", "0.99", "120", "500"));
        first.addAll(twelveNulls);
        first.addAll(List.of("16", "eu-central=310.0;us-east=200.0"));
        assertEquals(String.join(",", first), lines.get(1));
        // The SKU holds a comma, so it is quoted; nulls are empty cells; no regions gives an empty cell.
        List<String> second = new ArrayList<>(List.of("chat", "1h", "2026-01-01T01:00:00Z", Fixtures.CONFIG_HASH,
                "2", "base-llama70b-bf16-euc1", "base", "llama-3.3-70b", "\"standard,eu\"", "eu-central", "62.25",
                "0.25", "0.0", "0.0", "1.0", "0.5", "35.0", "150.0", "400.0", "2.0", "", "", "", "", "", "",
                "reference", "", "bf16", "0.95", "100", "0"));
        second.addAll(twelveNulls);
        second.addAll(List.of("0", ""));
        assertEquals(String.join(",", second), lines.get(2));
    }

    @Test
    void shouldWriteVersionedCopiesWhenSeveralSnapshotsArrive() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        long later = Fixtures.GENERATED_AT_MS + 300_000;

        task.put(List.of(
                Fixtures.record(TOPIC, 0, 0, "chat", Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS))),
                Fixtures.record(TOPIC, 0, 1, "chat", Fixtures.encodedSnapshot(Fixtures.snapshot(later)))));

        Path versions = dir.resolve("snapshots").resolve("chat");
        assertEquals(List.of("1767229200000-a1b2c3d4e5f60718.csv", "1767229200000-a1b2c3d4e5f60718.json",
                "1767229500000-a1b2c3d4e5f60718.csv", "1767229500000-a1b2c3d4e5f60718.json"), list(versions));
        assertEquals(read(dir.resolve("leaderboard-chat.json")),
                read(versions.resolve("1767229500000-a1b2c3d4e5f60718.json")), "latest file is the newer snapshot");
        assertTrue(list(dir).stream().noneMatch(n -> n.endsWith(".tmp")), "no temporary files left: " + list(dir));
    }

    @Test
    void shouldWriteEachWindowsBoardToItsOwnFilesWhenDayBoardArrivesAfterHourBoard() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        long later = Fixtures.GENERATED_AT_MS + 300_000;
        LeaderboardSnapshot day = Fixtures.snapshot(later);
        day.setWindow("24h");

        task.put(List.of(
                Fixtures.record(TOPIC, 0, 0, "chat", Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS))),
                Fixtures.record(TOPIC, 0, 1, "chat@24h", Fixtures.encodedSnapshot(day))));

        // the newer 24 h board does not replace the 1 h board's latest files: 01:00Z stays there
        assertEquals("1h", JSON.readTree(dir.resolve("leaderboard-chat.json").toFile()).get("window").asText());
        assertEquals("2026-01-01T01:00:00Z", JSON.readTree(dir.resolve("leaderboard-chat.json").toFile())
                .get("generated_at").asText());
        assertEquals("24h", JSON.readTree(dir.resolve("leaderboard-chat-24h.json").toFile()).get("window").asText());
        assertTrue(Files.exists(dir.resolve("leaderboard-chat-24h.csv")));
        assertTrue(Files.exists(dir.resolve("snapshots/chat-24h/1767229500000-a1b2c3d4e5f60718.json")));
    }

    @Test
    void shouldKeepNewerLatestFileWhenOlderSnapshotArrivesLater() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        long later = Fixtures.GENERATED_AT_MS + 300_000;

        task.put(List.of(
                Fixtures.record(TOPIC, 0, 0, "chat", Fixtures.encodedSnapshot(Fixtures.snapshot(later))),
                Fixtures.record(TOPIC, 0, 1, "chat", Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))));

        // 1_767_229_500_000 ms is 01:05:00Z.
        assertEquals("2026-01-01T01:05:00Z", JSON.readTree(dir.resolve("leaderboard-chat.json").toFile())
                .get("generated_at").asText());
        assertTrue(Files.exists(dir.resolve("snapshots/chat/1767229200000-a1b2c3d4e5f60718.json")),
                "the older one is still kept as a version");
    }

    @Test
    void shouldSkipAndReportPoisonRecordWhenValueIsNotWireFormat() throws IOException {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        SnapshotSinkTask task = task(context, Map.of());

        task.put(List.of(
                Fixtures.record(TOPIC, 2, 7, "chat", new byte[] {1, 2, 3}),
                Fixtures.record(TOPIC, 2, 8, "chat", Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))));

        assertEquals(1, context.reported.size());
        assertEquals(7, context.reported.get(0).record().kafkaOffset());
        assertTrue(context.reported.get(0).error().getMessage().contains("shorter than the 5-byte wire-format header"),
                context.reported.get(0).error().getMessage());
        assertEquals(1, task.skippedRecords());
        assertTrue(Files.exists(dir.resolve("leaderboard-chat.json")), "the next good record is still written");
    }

    @Test
    void shouldSkipAndReportWhenSchemaIdIsUnknown() {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        SnapshotSinkTask task = task(context, Map.of());
        byte[] unknownId = {0, 0x7f, 0, 0, 1, 2};

        task.put(List.of(Fixtures.record(TOPIC, 0, 5, "chat", unknownId)));

        assertEquals(1, context.reported.size());
        assertTrue(context.reported.get(0).error().getMessage().contains("not found"),
                context.reported.get(0).error().getMessage());
    }

    @Test
    void shouldCountAndContinueWhenNoErrantRecordReporterExists() {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(false), Map.of());

        task.put(List.of(Fixtures.record(TOPIC, 0, 1, "chat", "a string from the wrong converter"),
                Fixtures.record(TOPIC, 0, 2, "chat", new byte[] {9, 9, 9, 9, 9, 9})));

        assertEquals(2, task.skippedRecords());
    }

    @Test
    void shouldRefuseSnapshotWhenPresetIsNotASafeFileName() throws IOException {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        SnapshotSinkTask task = task(context, Map.of());
        var evil = Fixtures.snapshot(Fixtures.GENERATED_AT_MS);
        evil.setPreset("../../etc/chat");

        task.put(List.of(Fixtures.record(TOPIC, 0, 1, "chat", Fixtures.encodedSnapshot(evil))));

        assertEquals(1, context.reported.size());
        assertTrue(context.reported.get(0).error().getMessage().contains("not a safe file name"));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void shouldIgnoreTombstoneWhenValueIsNull() throws IOException {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        SnapshotSinkTask task = task(context, Map.of());

        task.put(List.of(Fixtures.record(TOPIC, 0, 1, "chat", null)));

        assertEquals(0, task.skippedRecords());
        assertEquals(List.of(), list(dir));
    }

    @Test
    void shouldWriteOnlyConfiguredWindowsWhenWindowsAreSet() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of(SnapshotSinkConfig.SNAPSHOT_WINDOWS, "24h"));

        task.put(List.of(Fixtures.record(TOPIC, 0, 1, "chat",
                Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))));

        assertEquals(List.of(), list(dir));
    }

    @Test
    void shouldRetryThenFailWhenRegistryIsUnreachable() {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        SnapshotSinkTask task = task(context, Map.of(
                SnapshotSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, UnreachableRegistryFactory.class.getName(),
                SnapshotSinkConfig.MAX_RETRIES, "2", SnapshotSinkConfig.RETRY_BACKOFF_MS, "250"));
        var batch = List.of(Fixtures.record(TOPIC, 0, 1, "chat",
                Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS))));

        assertThrows(RetriableException.class, () -> task.put(batch));
        assertThrows(RetriableException.class, () -> task.put(batch));
        ConnectException last = assertThrows(ConnectException.class, () -> task.put(batch));

        assertFalse(last instanceof RetriableException, "the third failure exceeds snapshot.max.retries=2");
        assertTrue(last.getMessage().contains(SnapshotSinkConfig.MAX_RETRIES), last.getMessage());
        assertEquals(List.of(250L, 250L), context.timeouts);
        assertEquals(0, context.reported.size(), "an outage is not a poison record");
    }

    @Test
    void shouldKeepCredentialsOutOfFilesWhenRegistryUrlHasThem() throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of(
                SnapshotSinkConfig.SCHEMA_REGISTRY_URL, "https://arena:canary-7f3a9@registry.test:8081/ccompat"));

        task.put(List.of(Fixtures.record(TOPIC, 0, 1, "chat",
                Fixtures.encodedSnapshot(Fixtures.snapshot(Fixtures.GENERATED_AT_MS)))));

        String json = read(dir.resolve("leaderboard-chat.json"));
        assertFalse(json.contains("canary-7f3a9"), json);
        assertEquals("https://registry.test:8081/ccompat",
                JSON.readTree(json).get("provenance").get("registry_url").asText());
    }

    @Test
    void shouldRaiseConfigErrorWhenStartedWithoutDirectory() {
        SnapshotSinkTask task = new SnapshotSinkTask();
        task.initialize(new FakeSinkTaskContext(true));

        var e = assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> task.start(Map.of(SnapshotSinkConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081")));

        assertInstanceOf(org.apache.kafka.common.config.ConfigException.class, e);
        assertTrue(e.getMessage().contains(SnapshotSinkConfig.SNAPSHOT_DIR), e.getMessage());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
