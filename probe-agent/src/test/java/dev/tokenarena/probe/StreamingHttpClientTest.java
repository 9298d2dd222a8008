package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outcome mapping end to end: a real socket, the real pipeline, the real assembler. */
class StreamingHttpClientTest {

    private FakeLlmServer server;
    private StreamingHttpClient client;
    private final ResultAssembler assembler = new ResultAssembler(Tokenizer.O200K);

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeLlmServer();
        // Short deadlines so timeout tests end quickly; a 256-byte line limit to provoke LIMIT_EXCEEDED.
        client = new StreamingHttpClient(1, Ticker.SYSTEM, new Limits(2_000, 1_000, 5_000, 256, 1024, 64 * 1024));
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    static Endpoint endpoint(String baseUrl, String protocol) {
        return Endpoint.newBuilder().setEndpointId("ep-1").setProvider("p").setModel("m").setSku("s")
                .setPrecision("bf16").setDecoding("default").setRegion("us-east").setGridZone("Z").setProtocol(protocol)
                .setBaseUrl(baseUrl).setModelName("model-x").setApiKeyEnv(null).setReference(false)
                .setContextTokens(8192).setLogprobs(false).setUpdatedAtMs(0).build();
    }

    private ProbeResult probe(String baseUrl) throws Exception {
        Endpoint e = endpoint(baseUrl, "openai-chat");
        HttpCall call = Protocols.call(e, "sk-test", "hello", 16, null);
        Exchange ex = client.post(call, StreamParser.forProtocol("openai-chat")).get(10, TimeUnit.SECONDS);
        ProbeRequest req = new ProbeRequest("ep-1", "us-east", "a-0", 0, "timing-in1k-c1", "timing", 1000, 1, 16, 1000,
                null, null, null);
        return assembler.assemble(req, ex, 1_700_000_000_000L, "sk-test");
    }

    static final List<String> GOOD = List.of(
            "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
            "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n",
            "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\" there\"},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}\n\n",
            "data: [DONE]\n\n");

    @Test
    void shouldReportOkWithTimingsWhenStreamCompletes() throws Exception {
        server.script(r -> FakeLlmServer.Reply.sse(GOOD));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("OK", r.getOutcome());
        assertEquals(200, r.getHttpStatus());
        assertNull(r.getError());
        assertEquals(2, r.getOutputTokens());
        assertEquals(2, r.getOutputTokensServer());
        assertEquals(2, r.getOutputTokensLocal(), "'Hello' and ' there' are one o200k token each");
        assertEquals(8, r.getInputTokensServer());
        assertEquals("stop", r.getFinishReason());
        assertEquals("c1", r.getServerRequestId());
        assertNotNull(r.getConnectMs());
        assertNull(r.getTlsMs(), "plain http");
        assertTrue(r.getTtftMs() > 0 && r.getTtftMs() <= r.getE2eMs());
        assertEquals(r.getTtftMs() - r.getConnectMs(), r.getTtftNetMs(), 1e-9);
        // What the endpoint received: a streaming chat request with max_tokens and usage requested.
        String body = server.received().get(0).body();
        assertTrue(body.contains("\"stream\":true") && body.contains("\"max_tokens\":16")
                && body.contains("\"include_usage\":true") && !body.contains("ignore_eos"), body);
        assertEquals("/v1/chat/completions", server.received().get(0).path());
    }

    @Test
    void shouldReportRateLimitedWhenStatusIs429() throws Exception {
        server.script(r -> FakeLlmServer.Reply.status(429, "{\"error\":{\"message\":\"too many requests\"}}"));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("RATE_LIMITED", r.getOutcome());
        assertEquals(429, r.getHttpStatus());
        assertEquals("HTTP 429: {\"error\":{\"message\":\"too many requests\"}}", r.getError());
    }

    @Test
    void shouldReportHttpErrorWhenStatusIs500() throws Exception {
        server.script(r -> FakeLlmServer.Reply.status(500, "upstream failed"));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("HTTP_ERROR", r.getOutcome());
        assertEquals(500, r.getHttpStatus());
        assertEquals("HTTP 500: upstream failed", r.getError());
    }

    @Test
    void shouldReportTruncatedWhenStreamEndsWithoutFinishOrDone() throws Exception {
        server.script(r -> FakeLlmServer.Reply.sse(GOOD.subList(0, 2)));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("TRUNCATED", r.getOutcome());
        assertEquals("stream ended without a finish reason or end marker after 2 events", r.getError());
        assertNotNull(r.getTtftMs(), "what did arrive is still timed");
    }

    @Test
    void shouldReportLimitExceededWhenALineIsTooLong() throws Exception {
        server.script(r -> FakeLlmServer.Reply.sse(List.of("data: " + "x".repeat(300) + "\n\n")));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("LIMIT_EXCEEDED", r.getOutcome());
        assertEquals("line exceeds max.line.bytes=256", r.getError());
    }

    @Test
    void shouldReportTimeoutWhenNoByteArrivesWithinFirstByteTimeout() throws Exception {
        server.script(r -> FakeLlmServer.Reply.hanging());
        ProbeResult r = probe(server.baseUrl());

        assertEquals("TIMEOUT", r.getOutcome());
        assertEquals("no response within first.byte.timeout.ms=1000", r.getError());
        assertNull(r.getHttpStatus());
        assertTrue(r.getE2eMs() >= 1000, "ended by the timer, not before: " + r.getE2eMs());
    }

    @Test
    void shouldReportConnectErrorWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProbeResult r = probe("http://127.0.0.1:" + port + "/v1");

        assertEquals("CONNECT_ERROR", r.getOutcome());
        assertTrue(r.getError().startsWith("cannot connect to 127.0.0.1:" + port), r.getError());
        assertNull(r.getConnectMs());
    }

    @Test
    void shouldReportConnectErrorNamingTheHostWhenItDoesNotResolve() throws Exception {
        // .invalid never resolves (RFC 2606); the lookup runs on the caller, not the event loop.
        ProbeResult r = probe("http://no-such-host.invalid:8000/v1");

        assertEquals("CONNECT_ERROR", r.getOutcome());
        assertTrue(r.getError().startsWith("cannot resolve host no-such-host.invalid"), r.getError());
        assertNull(r.getConnectMs());
    }

    @Test
    void shouldReportProtocolErrorWhenBodyIsNotAnEventStream() throws Exception {
        server.script(r -> new FakeLlmServer.Reply(200, java.util.Map.of("Content-Type", "application/json"),
                List.of("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}"), false));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("PROTOCOL_ERROR", r.getOutcome());
        assertEquals("expected a text/event-stream response, got application/json", r.getError());
    }
}
