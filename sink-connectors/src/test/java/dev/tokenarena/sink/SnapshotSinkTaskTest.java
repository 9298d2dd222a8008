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
        assertEquals(List.of("preset", "window", "generated_at", "config_hash", "rows",
                "rank_stability_kendall_tau_min", "leader_stable", "rank_stability_perturbations",
                "frontier_quality_cost", "frontier_throughput_interactivity", "provenance"), names(doc),
                "contract fields first, then the snapshot-level extras, provenance last");
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
                + "fidelity_noise_floor,fidelity_prompts,ttft_ms_p50_by_region,"
                + "fidelity_method,fidelity_p_value,fidelity_mmd2,fidelity_endpoint_samples,fidelity_reference_samples,"
                + "aggregate_output_tps,price_basis,self_hosted_usd_per_mtok,self_hosted_concurrency,"
                + "self_hosted_aggregate_output_tps,self_hosted_slo_met,"
                + "rank_stability_kendall_tau_min,leader_stable,rank_stability_perturbations", lines.get(0));
        // Neither fixture row has the later figures: method skl, no p-value or MMD, 0 samples, no
        // throughput or self-hosted cost; the snapshot has no rank stability and 0 perturbations.
        List<String> laterFiguresAbsent = List.of("skl", "", "", "0", "0", "", "", "", "", "", "", "", "", "0");
        List<String> twelveNulls = java.util.Collections.nCopies(12, "");
        List<String> first = new ArrayList<>(List.of("chat", "1h", "2026-01-01T01:00:00Z", Fixtures.CONFIG_HASH,
                "1", "acme-llama70b-fp8-use1", "acme", "llama-3.3-70b", "turbo", "us-east", "87.5",
                "1.0", "0.75", "1.0", "0.5", "1.0", "142.5", "210.0", "880.0", "0.88", "0.8", "0.0011", "0.35",
                "437.5", "45.5", "92.1", "drifted", "65536", "fp8", "0.99", "120", "500"));
        first.addAll(twelveNulls);
        first.addAll(List.of("16", "eu-central=310.0;us-east=200.0"));
        first.addAll(laterFiguresAbsent);
        assertEquals(String.join(",", first), lines.get(1));
        // The SKU holds a comma, so it is quoted; nulls are empty cells; no regions gives an empty cell.
        List<String> second = new ArrayList<>(List.of("chat", "1h", "2026-01-01T01:00:00Z", Fixtures.CONFIG_HASH,
                "2", "base-llama70b-bf16-euc1", "base", "llama-3.3-70b", "\"standard,eu\"", "eu-central", "62.25",
                "0.25", "0.0", "0.0", "1.0", "0.5", "35.0", "150.0", "400.0", "2.0", "", "", "", "", "", "",
                "reference", "", "bf16", "0.95", "100", "0"));
        second.addAll(twelveNulls);
        second.addAll(List.of("0", ""));
        second.addAll(laterFiguresAbsent);
        assertEquals(String.join(",", second), lines.get(2));
    }

    @Test
    void shouldWriteNullRankStabilityAndEmptyFrontiersWhenSnapshotHasNone() throws IOException {
        JsonNode doc = written(Fixtures.snapshot(Fixtures.GENERATED_AT_MS));

        assertTrue(doc.get("rank_stability_kendall_tau_min").isNull(), "not computed is null, not 1");
        assertTrue(doc.get("leader_stable").isNull());
        assertEquals(0, doc.get("rank_stability_perturbations").asInt());
        assertEquals(List.of(), texts(doc.get("frontier_quality_cost")));
        assertEquals(List.of(), texts(doc.get("frontier_throughput_interactivity")));
        JsonNode first = doc.get("rows").get(0);
        assertEquals("skl", first.get("fidelity_method").asText(), "the Avro default");
        assertTrue(first.get("fidelity_p_value").isNull());
        assertTrue(first.get("price_basis").isNull(), "the record says nothing of its price basis");
        assertTrue(first.get("self_hosted_usd_per_mtok").isNull());
        assertTrue(first.get("self_hosted_slo_met").isNull());
    }

    @Test
    void shouldWriteSampleTestEvidenceBesideNullFidelityWhenEndpointHasNoLogprobs() throws IOException {
        JsonNode row = written(Fixtures.sampleTestAndSelfHostedSnapshot()).get("rows").get(0);

        assertEquals(Fixtures.NO_LOGPROBS, row.get("endpoint_id").asText());
        assertTrue(row.has("fidelity") && row.get("fidelity").isNull(), "no logprobs, no F: " + row);
        assertEquals("faithful", row.get("fidelity_status").asText());
        assertEquals("sample_test", row.get("fidelity_method").asText());
        assertEquals(0.84, row.get("fidelity_p_value").asDouble());
        assertEquals(0.0012, row.get("fidelity_mmd2").asDouble());
        // 16 prompts x 4 completions on each side.
        assertEquals(64, row.get("fidelity_endpoint_samples").asInt());
        assertEquals(64, row.get("fidelity_reference_samples").asInt());
        assertTrue(row.get("fidelity_noise_floor").isNull(), "the record has none");
        assertEquals("token_price", row.get("price_basis").asText());
        // 60 tok/s per stream x 8 streams per replica.
        assertEquals(480.0, row.get("aggregate_output_tps").asDouble());
        assertTrue(row.get("self_hosted_usd_per_mtok").isNull(), "not self-hosted");
    }

    @Test
    void shouldWriteSelfHostedCostWhenEndpointIsPricedFromGpuHours() throws IOException {
        JsonNode row = written(Fixtures.sampleTestAndSelfHostedSnapshot()).get("rows").get(1);

        assertEquals(Fixtures.SELF_HOSTED, row.get("endpoint_id").asText());
        assertEquals("self_hosted", row.get("price_basis").asText());
        // 8 GPUs x 2.50 USD/h = 20 USD/h; 500 tok/s x 3600 s = 1.8M tok/h; 20 / 1.8 = 11.11 USD per 1M.
        assertEquals(11.1111, row.get("self_hosted_usd_per_mtok").asDouble(), 1e-4);
        // Chat 3:1 with free input: 11.11 x 1 / 4 = 2.78 USD per 1M blended.
        assertEquals(2.7778, row.get("blended_usd_per_mtok").asDouble(), 1e-4);
        assertEquals(10, row.get("self_hosted_concurrency").asInt());
        assertTrue(row.get("self_hosted_concurrency").isIntegralNumber(), "a level, not a figure");
        assertEquals(500.0, row.get("self_hosted_aggregate_output_tps").asDouble());
        assertTrue(row.get("self_hosted_slo_met").isBoolean() && row.get("self_hosted_slo_met").asBoolean());
        assertEquals(99.4, row.get("fidelity").asDouble());
        assertEquals(99.6, row.get("fidelity_noise_floor").asDouble());
        assertEquals("skl", row.get("fidelity_method").asText());
        assertTrue(row.get("fidelity_p_value").isNull(), "F, not the sample test");
    }

    @Test
    void shouldWriteRankStabilityAndFrontiersWhenSnapshotCarriesThem() throws IOException {
        JsonNode doc = written(Fixtures.sampleTestAndSelfHostedSnapshot());

        // Two rows swapped by a perturbation: tau-a = (0 concordant - 1 discordant) / 1 pair = -1.
        assertEquals(-1.0, doc.get("rank_stability_kendall_tau_min").asDouble());
        assertTrue(doc.get("leader_stable").isBoolean() && !doc.get("leader_stable").asBoolean());
        // 5 weights x 2 signs.
        assertEquals(10, doc.get("rank_stability_perturbations").asInt());
        // Neither row dominates: cheapest per correct answer first, then fastest per stream first.
        assertEquals(List.of(Fixtures.NO_LOGPROBS, Fixtures.SELF_HOSTED), texts(doc.get("frontier_quality_cost")));
        assertEquals(List.of(Fixtures.NO_LOGPROBS, Fixtures.SELF_HOSTED),
                texts(doc.get("frontier_throughput_interactivity")));
    }

    @Test
    void shouldAppendLaterFiguresAsLastCsvColumnsWhenSnapshotCarriesThem() throws IOException {
        written(Fixtures.sampleTestAndSelfHostedSnapshot());

        List<String> lines = List.of(read(dir.resolve("leaderboard-chat.csv")).split("\r\n"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        Map<String, String> noLogprobs = cells(header, lines.get(1));
        Map<String, String> selfHosted = cells(header, lines.get(2));
        assertEquals(List.of("self_hosted_slo_met", "rank_stability_kendall_tau_min", "leader_stable",
                "rank_stability_perturbations"), header.subList(header.size() - 4, header.size()));
        assertEquals("", noLogprobs.get("fidelity"), "null F is an empty cell");
        assertEquals("sample_test", noLogprobs.get("fidelity_method"));
        assertEquals("0.84", noLogprobs.get("fidelity_p_value"));
        assertEquals("0.0012", noLogprobs.get("fidelity_mmd2"));
        assertEquals("64", noLogprobs.get("fidelity_endpoint_samples"));
        assertEquals("64", noLogprobs.get("fidelity_reference_samples"));
        assertEquals("480.0", noLogprobs.get("aggregate_output_tps"));
        assertEquals("token_price", noLogprobs.get("price_basis"));
        assertEquals("self_hosted", selfHosted.get("price_basis"));
        // 20 USD/h over 1.8M tok/h, as in the JSON test.
        assertEquals(11.1111, Double.parseDouble(selfHosted.get("self_hosted_usd_per_mtok")), 1e-4);
        assertEquals("10", selfHosted.get("self_hosted_concurrency"));
        assertEquals("500.0", selfHosted.get("self_hosted_aggregate_output_tps"));
        assertEquals("true", selfHosted.get("self_hosted_slo_met"));
        assertEquals("", noLogprobs.get("self_hosted_slo_met"));
        for (Map<String, String> row : List.of(noLogprobs, selfHosted)) {
            assertEquals("-1.0", row.get("rank_stability_kendall_tau_min"), "snapshot-level, on every row");
            assertEquals("false", row.get("leader_stable"));
            assertEquals("10", row.get("rank_stability_perturbations"));
        }
        assertFalse(header.contains("frontier_quality_cost"), "frontiers are lists of ids: JSON only");
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

    /** Writes one snapshot through a fresh task and reads back the latest JSON of its preset. */
    private JsonNode written(LeaderboardSnapshot snapshot) throws IOException {
        SnapshotSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        task.put(List.of(Fixtures.record(TOPIC, 0, 0, snapshot.getPreset(), Fixtures.encodedSnapshot(snapshot))));
        return JSON.readTree(dir.resolve("leaderboard-" + snapshot.getPreset() + ".json").toFile());
    }

    /** A CSV line without quoted cells, by column name. */
    private static Map<String, String> cells(List<String> header, String line) {
        List<String> values = List.of(line.split(",", -1));
        assertEquals(header.size(), values.size(), line);
        Map<String, String> byName = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            byName.put(header.get(i), values.get(i));
        }
        return byName;
    }

    private static List<String> texts(JsonNode array) {
        assertTrue(array.isArray(), "an array: " + array);
        List<String> texts = new ArrayList<>();
        array.forEach(e -> texts.add(e.asText()));
        return texts;
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
