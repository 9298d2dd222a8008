package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code arena alerts tail} and {@code arena leaderboard} against the in-process broker and the
 * registry over REST. The shared broker's topics may hold other tests' records: this test's have
 * their own endpoint ids and preset.
 */
class EverydayCommandsIT {

    /** 2026-01-01T01:00:00Z. */
    private static final long T = 1_767_229_200_000L;
    private static final String EP = "everyday-acme-use1";
    private static final String PRESET = "everyday";

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = ArenaCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static DriftAlert alert(String endpoint, String state, long at) {
        return DriftAlert.newBuilder().setAlertId(endpoint + "-ttft").setEndpointId(endpoint).setKind("TTFT_P99")
                .setState(state).setOpenedAtMs(T).setEventTimeMs(at).setSeverity("warning")
                .setSummary("TTFT p99 rose from 410 to 980 ms").setConfigHash("cafe")
                .setEvidence(AlertEvidence.newBuilder().setMetric("ttft_ms_p99").setBaseline(410.0).setCurrent(980.0)
                        .setThreshold(615.0).setBaselineCount(1200L).setCurrentCount(240L).build())
                .build();
    }

    private static LeaderboardSnapshot board(long generatedAt, double topScore) {
        EndpointComposite c = EndpointComposite.newBuilder().setEndpointId(EP).setPreset(PRESET).setWindow("1h")
                .setWindowStartMs(generatedAt - 3_600_000L).setWindowEndMs(generatedAt).setComputedAtMs(generatedAt)
                .setConfigHash("cafe").setProvider("acme").setModel("llama-3.3-70b").setSku("turbo").setPrecision("fp8")
                .setRegion("us-east").setScore(topScore).setFactors(new FactorScores(1.0, 1.0, 1.0, 1.0, 1.0))
                .setProbeCount(120).setSuccessRate(1.0).setBlendedUsdPerMtok(0.88).build();
        return LeaderboardSnapshot.newBuilder().setPreset(PRESET).setWindow("1h")
                .setWindowStartMs(generatedAt - 3_600_000L).setWindowEndMs(generatedAt).setGeneratedAtMs(generatedAt)
                .setConfigHash("cafe").setRows(List.of(new LeaderboardRow(1, c))).build();
    }

    @Test
    void shouldTailAlertsAndPrintTheLatestLeaderboardWhenRecordsAreInTheTopics() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        kafka.createTopics(List.of(Topics.ALERTS.newTopic((short) 1), Topics.LEADERBOARD.newTopic((short) 1),
                Topics.SCHEMAS.newTopic((short) 1)));
        try (RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
            var alerts = AvroWireSerde.forTopic(Topics.ALERTS, client);
            var boards = AvroWireSerde.forTopic(Topics.LEADERBOARD, client);
            String a = Topics.ALERTS.name();
            String l = Topics.LEADERBOARD.name();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(a, EP, alerts.encode(a, alert(EP, "OPEN", T)))).get();
                producer.send(new ProducerRecord<>(a, EP, "not avro".getBytes(StandardCharsets.UTF_8))).get();
                producer.send(new ProducerRecord<>(a, "everyday-other", alerts.encode(a, alert("everyday-other", "OPEN", T)))).get();
                producer.send(new ProducerRecord<>(a, EP, alerts.encode(a, alert(EP, "RESOLVED", T + 600_000)))).get();
                producer.send(new ProducerRecord<>(l, PRESET, boards.encode(l, board(T, 71.5)))).get();
                producer.send(new ProducerRecord<>(l, PRESET, boards.encode(l, board(T + 300_000, 88.25)))).get();
            }
            String[] where = {"--bootstrap", kafka.bootstrapServers(), "--registry", registry.url()};

            Result tail = run(concat(new String[] {"alerts", "tail", "--from-beginning", "--endpoint", EP, "--max", "2"}, where));
            assertEquals(0, tail.code(), tail.err());
            assertEquals(List.of(
                    "2026-01-01T01:00:00Z OPEN TTFT_P99 everyday-acme-use1 (warning): TTFT p99 rose from 410 to 980 ms "
                            + "[ttft_ms_p99 980.0 vs 410.0, threshold 615.0, n=240/1200]",
                    "2026-01-01T01:10:00Z RESOLVED TTFT_P99 everyday-acme-use1 (warning): TTFT p99 rose from 410 to 980 ms "
                            + "[ttft_ms_p99 980.0 vs 410.0, threshold 615.0, n=240/1200]"),
                    tail.out().lines().toList());
            assertTrue(tail.err().contains("arena alerts tail: skipped " + a + "-"), tail.err());

            Result json = run(concat(new String[] {"alerts", "tail", "--from-beginning", "--json", "--state", "RESOLVED",
                "--endpoint", EP, "--idle-timeout", "3s"}, where));
            assertEquals(0, json.code(), json.err());
            List<String> lines = json.out().lines().toList();
            assertEquals(1, lines.size(), json.out());
            JsonNode resolved = new ObjectMapper().readTree(lines.get(0));
            assertEquals("RESOLVED", resolved.get("state").asText());
            assertEquals(T + 600_000, resolved.get("event_time_ms").asLong());

            // The later of the two boards (score 88.25, window ending 01:05) is the current one.
            Result board = run(concat(new String[] {"leaderboard", "--preset", PRESET}, where));
            assertEquals(0, board.code(), board.err());
            assertTrue(board.out().contains("Leaderboard preset=everyday window=1h (2026-01-01T00:05:00Z .. 2026-01-01T01:05:00Z)"),
                    board.out());
            assertTrue(board.out().contains(EP) && board.out().contains("88.3"), board.out());

            Result missing = run(concat(new String[] {"leaderboard", "--preset", PRESET, "--window", "24h"}, where));
            assertEquals(ArenaCli.EXIT_BAD_INPUT, missing.code());
            assertTrue(missing.err().contains("no leaderboard 'everyday@24h' in arena.leaderboard.v1"), missing.err());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
