package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.testing.LogCapture;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A canary key, passed only through the env function, must never reach a ProbeResult or a log
 * line, even when a hostile endpoint echoes it back everywhere it can.
 */
class SecretsTest {

    static final String KEY = "sk-canary-7f3a9c2e51d84b6f";

    private static String echoedKey(FakeLlmServer.Received r) {
        String auth = r.headers().getOrDefault("Authorization", List.of("")).get(0);
        String anthropic = r.headers().getOrDefault("X-api-key", List.of("")).get(0);
        return auth.isEmpty() ? anthropic : auth;
    }

    @Test
    void shouldKeepKeyOutOfResultsAndLogsWhenEndpointEchoesIt() throws Exception {
        List<ProbeResult> results = new CopyOnWriteArrayList<>();
        try (FakeLlmServer server = new FakeLlmServer(); LogCapture logs = new LogCapture()) {
            server.script(r -> {
                String echo = echoedKey(r);
                if (r.path().endsWith("/messages")) {
                    // An error body quoting the credentials, long enough that the 512-char cap applies too.
                    return FakeLlmServer.Reply.status(401, "{\"error\":\"bad key " + echo + "\"," + "\"pad\":\""
                            + "x".repeat(600) + "\",\"again\":\"" + echo + "\"}");
                }
                // A 200 stream with the key as request id header, response id, content and finish reason,
                // and a truncated end so the error path runs too.
                return new FakeLlmServer.Reply(200, Map.of("Content-Type", "text/event-stream", "x-request-id", echo),
                        List.of("data: {\"id\":\"" + echo + "\",\"choices\":[{\"delta\":{\"content\":\"" + echo + "\"},"
                                + "\"finish_reason\":\"" + (r.body().contains("temperature") ? echo : "") + "\"}]}\n\n",
                                "data: {not json " + echo + "\n\n"), false);
            });
            Endpoint openai = Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat"))
                    .setEndpointId("ep-openai").setApiKeyEnv("ACME_KEY").build();
            Endpoint anthropic = Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "anthropic-messages"))
                    .setEndpointId("ep-anthropic").setApiKeyEnv("ACME_KEY").build();
            Map<String, String> cfg = ProbeAgentTest.baseConfig();
            cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1", "canary.count", "1", "needle.lengths", "150"));
            try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(openai, anthropic),
                    results::add, ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> name.equals("ACME_KEY") ? KEY : null)) {
                agent.runRound().get(30, TimeUnit.SECONDS);
            }

            // The key did travel, in the right headers: the test is not vacuous.
            assertTrue(server.received().stream().anyMatch(r -> echoedKey(r).equals("Bearer " + KEY)));
            assertTrue(server.received().stream().anyMatch(r -> echoedKey(r).equals(KEY)));
            // 2 endpoints x (1 timing + 1 canary + 1 needle).
            assertEquals(6, results.size());
            List<String> outcomes = new ArrayList<>();
            for (ProbeResult r : results) {
                outcomes.add(r.getOutcome());
                assertFalse(r.toString().contains(KEY), "key leaked into " + r);
                assertFalse(r.toString().contains(KEY.substring(0, 16)), "key prefix leaked into " + r);
                if (r.getError() != null) {
                    assertTrue(r.getError().length() <= 512, r.getError());
                }
            }
            assertTrue(outcomes.containsAll(List.of("HTTP_ERROR", "PROTOCOL_ERROR")), outcomes.toString());
            assertTrue(results.stream().anyMatch(r -> r.getError() != null && r.getError().contains(Errors.MASK)));
            assertFalse(logs.lines().isEmpty(), "the failures were logged");
            for (String line : logs.lines()) {
                assertFalse(line.contains(KEY.substring(0, 16)), "key leaked into log: " + line);
            }
        }
    }

    @Test
    void shouldKeepKeyOutOfSpoolFilesAndMetricsWhenKafkaIsDown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        SpoolFixtures.FakeKafka kafka = new SpoolFixtures.FakeKafka();
        kafka.mode = SpoolFixtures.Mode.DOWN;
        ProbeMetrics metrics = new ProbeMetrics();
        try (FakeLlmServer server = new FakeLlmServer();
             SpoolingResultSink sink = new SpoolingResultSink(Spool.open(dir, 1 << 20), kafka::producer, kafka, 5, 0)) {
            // The endpoint echoes the key as response id, content and in a broken last event.
            server.script(r -> new FakeLlmServer.Reply(200, Map.of("Content-Type", "text/event-stream"),
                    List.of("data: {\"id\":\"" + echoedKey(r) + "\",\"choices\":[{\"delta\":{\"content\":\""
                            + echoedKey(r) + "\"}}]}\n\n", "data: {not json " + echoedKey(r) + "\n\n"), false));
            Endpoint ep = Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat"))
                    .setEndpointId("ep-openai").setApiKeyEnv("ACME_KEY").build();
            Map<String, String> cfg = ProbeAgentTest.baseConfig();
            cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1", "canary.count", "1", "needle.lengths", "150"));
            try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(ep), sink,
                    ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> name.equals("ACME_KEY") ? KEY : null, metrics, id -> null)) {
                agent.runRound().get(30, TimeUnit.SECONDS);
            }
            assertTrue(server.received().stream().anyMatch(r -> echoedKey(r).equals("Bearer " + KEY)));
            // 1 timing + 1 canary + 1 needle, all waiting on disk.
            assertEquals(3, sink.pendingRecords());
            assertFalse(metrics.scrape().contains(KEY.substring(0, 16)), metrics.scrape());
        }
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : files.toList()) {
                String bytes = new String(java.nio.file.Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(KEY.substring(0, 16)), "key leaked into spool file " + f);
            }
        }
    }
}
