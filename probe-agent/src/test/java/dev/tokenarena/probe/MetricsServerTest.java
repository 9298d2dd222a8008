package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real round, then a real scrape over HTTP of the agent's Prometheus endpoint. */
class MetricsServerTest {

    @Test
    void shouldExposeOutcomesInFlightAndBudgetWhenScrapedAfterARound() throws Exception {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1,2", "canary.count", "0", "needle.lengths", "150",
                "needle.every.rounds", "1000", "budget.daily.tokens", "1000000"));
        ProbeMetrics metrics = new ProbeMetrics();
        metrics.gauge("arena_probe_spool_records", "Results waiting in the spool.", () -> 3);
        try (FakeLlmServer llm = new FakeLlmServer();
             MetricsServer server = MetricsServer.start("127.0.0.1", 0, metrics)) {
            llm.script(r -> r.body().contains("lighthouse") ? ProbeAgentTest.answer(r) : FakeLlmServer.Reply.status(429, "{}"));
            Endpoint ep = Endpoint.newBuilder(StreamingHttpClientTest.endpoint(llm.baseUrl(), "openai-chat"))
                    .setEndpointId("ep-\"q\"").build();
            try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(ep), r -> { },
                    ProbeAgentTest.FIXED, Ticker.SYSTEM, n -> null, metrics, id -> null)) {
                agent.runRound().get(30, TimeUnit.SECONDS);
            }
            HttpResponse<String> resp = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, resp.statusCode());
            assertTrue(resp.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            String body = resp.body();
            // Round 0 is a needle round: 1 needle (answered 429) + 1 + 2 timing requests (answered OK).
            assertTrue(body.contains("arena_probe_requests_total{endpoint=\"ep-\\\"q\\\"\",outcome=\"OK\"} 3\n"), body);
            assertTrue(body.contains("arena_probe_requests_total{endpoint=\"ep-\\\"q\\\"\",outcome=\"RATE_LIMITED\"} 1\n"), body);
            assertTrue(body.contains("# TYPE arena_probe_requests_total counter\n"), body);
            assertTrue(body.contains("arena_probe_inflight_streams 0\n"), body);
            assertTrue(body.contains("arena_probe_spool_records 3\n"), body);
            // Tokens booked: input counted locally (100 + 100 x 2 timing, 150 needle) + output 2 per OK answer,
            // and the 429 answer's output of 0: 450 input + 6 output = 456.
            assertTrue(body.contains("arena_probe_budget_used_tokens{endpoint=\"ep-\\\"q\\\"\"} 456\n"), body);
            HttpResponse<String> other = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }
}
