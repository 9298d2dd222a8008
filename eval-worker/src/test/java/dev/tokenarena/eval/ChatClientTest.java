package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ChatClientTest {

    private static final String KEY = "sk-canary-7f3e9b1c2d";
    private static final Function<String, String> ENV = Map.of("ACME_API_KEY", KEY)::get;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String OK_BODY = """
            {"id":"c1","choices":[{"index":0,"finish_reason":"length",
              "message":{"role":"assistant","content":"Paris is","reasoning_content":"think"},
              "logprobs":{"content":[
                {"token":"Paris","logprob":-0.01,"top_logprobs":[{"token":"Paris","logprob":-0.01},{"token":"The","logprob":-4.6}]},
                {"token":" is","logprob":-0.22,"top_logprobs":[{"token":" is","logprob":-0.22},{"token":",","logprob":-1.6}]}]}}],
             "usage":{"prompt_tokens":12,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":1}}}
            """;

    private static ChatRequest request(String baseUrl, int topK) {
        return new ChatRequest(baseUrl, "meta-llama/Llama-3.3-70B", "ACME_API_KEY", "Capital of France?", 16, topK);
    }

    @Test
    void shouldParseContentUsageAndLogprobsWhenServerReturnsThem() throws IOException {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        AtomicReference<String> auth = new AtomicReference<>();
        AtomicReference<String> path = new AtomicReference<>();
        try (TestServer server = new TestServer(ex -> {
            sent.set(JSON.readTree(TestServer.body(ex)));
            auth.set(ex.getRequestHeaders().getFirst("Authorization"));
            path.set(ex.getRequestURI().getPath());
            TestServer.respond(ex, 200, OK_BODY);
        })) {
            ChatResult r = new ChatClient(ENV, Duration.ofSeconds(5)).complete(request(server.baseUrl(), 5));

            assertEquals(Outcome.OK, r.outcome());
            assertEquals(200, r.httpStatus());
            assertEquals("Paris is", r.content());
            assertEquals("think", r.reasoningContent());
            assertEquals("length", r.finishReason());
            assertEquals(new ChatResult.Usage(12, 3, 1), r.usage());
            assertEquals(2, r.positions().size());
            assertEquals(new ChatResult.Position(" is", -0.22, java.util.List.of(
                    new ChatResult.Alternative(" is", -0.22), new ChatResult.Alternative(",", -1.6))), r.positions().get(1));
            assertNull(r.error());
        }
        assertEquals("/v1/chat/completions", path.get());
        assertEquals("Bearer " + KEY, auth.get());
        assertEquals(0, sent.get().get("temperature").asInt());
        assertEquals(16, sent.get().get("max_tokens").asInt());
        assertTrue(sent.get().get("logprobs").asBoolean());
        assertEquals(5, sent.get().get("top_logprobs").asInt());
        assertFalse(sent.get().get("stream").asBoolean());
        assertEquals("Capital of France?", sent.get().at("/messages/0/content").asText());
    }

    @Test
    void shouldNotAskForLogprobsWhenTopKIsZero() throws IOException {
        AtomicReference<JsonNode> sent = new AtomicReference<>();
        try (TestServer server = new TestServer(ex -> {
            sent.set(JSON.readTree(TestServer.body(ex)));
            TestServer.respond(ex, 200, "{\"choices\":[{\"message\":{\"content\":\"#### 4\"}}]}");
        })) {
            ChatResult r = new ChatClient(ENV, Duration.ofSeconds(5)).complete(request(server.baseUrl(), 0));
            assertEquals(Outcome.OK, r.outcome());
            assertNull(r.usage());
            assertTrue(r.positions().isEmpty());
        }
        assertFalse(sent.get().has("logprobs"));
        assertFalse(sent.get().has("top_logprobs"));
    }

    @Test
    void shouldReportRateLimitedWhenServerSays429() throws IOException {
        try (TestServer server = new TestServer(ex -> {
            ex.getResponseHeaders().add("Retry-After", "7");
            TestServer.respond(ex, 429, "{\"error\":\"slow down\"}");
        })) {
            ChatResult r = new ChatClient(ENV, Duration.ofSeconds(5)).complete(request(server.baseUrl(), 0));
            assertEquals(Outcome.RATE_LIMITED, r.outcome());
            assertEquals(429, r.httpStatus());
            assertTrue(r.error().contains("retry-after 7"), r.error());
        }
    }

    @Test
    void shouldNeverPutKeyInErrorWhenServerEchoesIt() throws IOException {
        // A hostile server echoes the Authorization header in its 500 body.
        try (TestServer server = new TestServer(ex -> TestServer.respond(ex, 500,
                "{\"error\":\"bad key " + ex.getRequestHeaders().getFirst("Authorization") + "\"}"))) {
            ChatResult r = new ChatClient(ENV, Duration.ofSeconds(5)).complete(request(server.baseUrl(), 0));
            assertEquals(Outcome.HTTP_ERROR, r.outcome());
            assertEquals(500, r.httpStatus());
            assertTrue(r.error().startsWith("HTTP 500: "), r.error());
            assertFalse(r.error().contains(KEY), r.error());
            assertFalse(r.error().contains(KEY.substring(0, 10)), r.error());
            assertTrue(r.error().contains("Bearer ***"), r.error());
        }
    }

    @Test
    void shouldNameVariableNotValueWhenKeyMissingAndServerSays401() throws IOException {
        try (TestServer server = new TestServer(ex -> TestServer.respond(ex, 401, "{}"))) {
            ChatResult r = new ChatClient(name -> null, Duration.ofSeconds(5)).complete(request(server.baseUrl(), 0));
            assertEquals(Outcome.HTTP_ERROR, r.outcome());
            assertTrue(r.error().contains("environment variable ACME_API_KEY is not set"), r.error());
        }
    }

    @Test
    void shouldTimeOutWhenServerNeverAnswers() throws IOException, InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(ex -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            ChatResult r = new ChatClient(ENV, Duration.ofMillis(300)).complete(request(server.baseUrl(), 0));
            assertEquals(Outcome.TIMEOUT, r.outcome());
            assertTrue(r.latencyMs() >= 300, "latency " + r.latencyMs());
            assertFalse(r.error().contains(KEY));
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldReportProtocolErrorWhenBodyPassesLimitOrIsNotJson() throws IOException {
        try (TestServer server = new TestServer(ex -> TestServer.respond(ex, 200,
                ex.getRequestURI().getPath().startsWith("/big") ? "x".repeat(2048) : "<html>oops</html>"))) {
            ChatClient small = new ChatClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                    ENV, Duration.ofSeconds(5), 1024, Ticker.SYSTEM);
            ChatResult big = small.complete(request(server.baseUrl().replace("/v1", "/big"), 0));
            assertEquals(Outcome.PROTOCOL_ERROR, big.outcome());
            assertTrue(big.error().contains("exceeds the limit of 1024 bytes"), big.error());

            ChatResult html = small.complete(request(server.baseUrl(), 0));
            assertEquals(Outcome.PROTOCOL_ERROR, html.outcome());
            assertTrue(html.error().startsWith("response is not JSON"), html.error());
        }
    }

    @Test
    void shouldReportConnectErrorWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ChatResult r = new ChatClient(ENV, Duration.ofSeconds(5)).complete(request("http://127.0.0.1:" + port + "/v1", 0));
        assertEquals(Outcome.CONNECT_ERROR, r.outcome());
        assertEquals(0, r.httpStatus());
        ChatResult bad = new ChatClient(ENV, Duration.ofSeconds(5)).complete(request("http://bad host/v1", 0));
        assertEquals(Outcome.CONNECT_ERROR, bad.outcome());
    }
}
