package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Misbehaving endpoints on a real local socket, each answered through the real pipeline and
 * assembler: every one ends with its outcome and, where a limit ended it, the limit's setting
 * in the error; and the heap holds nothing of it afterwards.
 */
class HostileEndpointTest {

    /** Short limits so every case ends within about a second. */
    static final Limits LIMITS = new Limits(2_000, 500, 1_000, 4096, 16 * 1024, 256 * 1024);
    private static final long MIB = 1024 * 1024;

    private static HostileServer server;
    private static StreamingHttpClient client;
    private final ResultAssembler assembler = new ResultAssembler(Tokenizer.O200K);

    static final String SSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
    static final String CHUNKED_SSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    static final String TOKEN = "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n";
    static final String FINISH = "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n";
    static final String DONE = "data: [DONE]\n\n";

    static String chunk(String s) {
        return Integer.toHexString(s.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + s + "\r\n";
    }

    /** name, server behaviour, expected outcome, a fragment the error must contain (null: no error). */
    static Stream<Arguments> misbehaviours() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("malformed-sse-json", (HostileServer.Behaviour) c ->
                c.write(SSE_HEAD + "data: {\"choices\": [ {\"delta\n\n" + DONE), "PROTOCOL_ERROR", "JSON"));
        cases.add(Arguments.of("never-ending-stream", (HostileServer.Behaviour) c -> {
            c.write(SSE_HEAD);
            c.every(20, () -> TOKEN.getBytes(StandardCharsets.UTF_8));
        }, "TIMEOUT", "request.timeout.ms=1000"));
        cases.add(Arguments.of("ten-mb-line", (HostileServer.Behaviour) c -> {
            c.write(SSE_HEAD + "data: ");
            byte[] mib = "x".repeat((int) MIB).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 10; i++) {
                c.write(mib);
            }
        }, "LIMIT_EXCEEDED", "max.line.bytes=4096"));
        cases.add(Arguments.of("invalid-utf8-split-across-chunks", (HostileServer.Behaviour) c -> {
            c.write(SSE_HEAD + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"a");
            c.write(new byte[] {(byte) 0xE2, (byte) 0x82});
            c.write(new byte[] {(byte) 0x41});
            c.write("\"}}]}\n\n" + FINISH + DONE);
        }, "OK", null));
        cases.add(Arguments.of("slowloris-one-byte-a-second", (HostileServer.Behaviour) c -> {
            byte[] all = (SSE_HEAD + TOKEN + FINISH + DONE).getBytes(StandardCharsets.UTF_8);
            AtomicInteger i = new AtomicInteger();
            c.every(1000, () -> i.get() < all.length ? new byte[] {all[i.getAndIncrement()]} : null);
        }, "TIMEOUT", "ms="));
        cases.add(Arguments.of("reset-mid-stream", (HostileServer.Behaviour) c -> {
            c.write(SSE_HEAD + TOKEN);
            c.socket.setSoLinger(true, 0);
            c.socket.close();
        }, "TRUNCATED", null));
        cases.add(Arguments.of("rate-limited-with-retry-after", (HostileServer.Behaviour) c ->
                c.write("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 29\r\n\r\n{\"error\":{\"message\":\"slow\"}}\n"), "RATE_LIMITED", "HTTP 429 (retry-after 7)"));
        cases.add(Arguments.of("html-500-page", (HostileServer.Behaviour) c -> {
            String html = "<html><body><h1>502 Bad Gateway</h1>" + "<p>nginx</p>".repeat(500) + "</body></html>";
            c.write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: "
                    + html.length() + "\r\n\r\n" + html);
        }, "HTTP_ERROR", "HTTP 500"));
        cases.add(Arguments.of("wrong-content-type", (HostileServer.Behaviour) c ->
                c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + TOKEN + FINISH + DONE),
                "PROTOCOL_ERROR", "text/event-stream"));
        cases.add(Arguments.of("gzip-body-not-asked-for", (HostileServer.Behaviour) c -> {
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(z)) {
                g.write((TOKEN + FINISH + DONE).getBytes(StandardCharsets.UTF_8));
            }
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\nContent-Length: "
                    + z.size() + "\r\n\r\n");
            c.write(z.toByteArray());
        }, "PROTOCOL_ERROR", "Content-Encoding gzip"));
        cases.add(Arguments.of("chunked-body-without-events", (HostileServer.Behaviour) c ->
                c.write(CHUNKED_SSE_HEAD + chunk(": keep-alive\n\n") + chunk("\n\n") + "0\r\n\r\n"),
                "TRUNCATED", "0 events"));
        cases.add(Arguments.of("json-without-choices", (HostileServer.Behaviour) c ->
                c.write(SSE_HEAD + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\"}\n\n" + DONE),
                "PROTOCOL_ERROR", "without choices"));
        cases.add(Arguments.of("headers-never-sent", (HostileServer.Behaviour) c -> c.keepOpen(),
                "TIMEOUT", "first.byte.timeout.ms=500"));
        cases.add(Arguments.of("keep-alive-never-closed-after-done", (HostileServer.Behaviour) c -> {
            c.write(CHUNKED_SSE_HEAD + chunk(TOKEN) + chunk(FINISH) + chunk(DONE));
            c.keepOpen();
        }, "OK", null));
        cases.add(Arguments.of("huge-number-of-tiny-events", (HostileServer.Behaviour) c -> {
            c.write(SSE_HEAD);
            StringBuilder block = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                block.append(TOKEN);
            }
            byte[] b = block.toString().getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                c.write(b);
            }
        }, "LIMIT_EXCEEDED", "max.response.bytes=262144"));
        cases.add(Arguments.of("event-without-data", (HostileServer.Behaviour) c ->
                c.write(SSE_HEAD + "event: message\nid: 7\n\n" + TOKEN + FINISH + DONE), "OK", null));
        cases.add(Arguments.of("redirect", (HostileServer.Behaviour) c ->
                c.write("HTTP/1.1 302 Found\r\nLocation: http://evil.example/steal\r\nContent-Length: 0\r\n\r\n"),
                "HTTP_ERROR", "HTTP 302"));
        cases.add(Arguments.of("empty-200", (HostileServer.Behaviour) c ->
                c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 0\r\n\r\n"),
                "TRUNCATED", "0 events"));
        cases.add(Arguments.of("duplicate-done", (HostileServer.Behaviour) c ->
                c.write(SSE_HEAD + TOKEN + FINISH + DONE + DONE), "OK", null));
        cases.add(Arguments.of("negative-usage", (HostileServer.Behaviour) c ->
                c.write(SSE_HEAD + TOKEN + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":-3}}\n\n" + DONE), "PROTOCOL_ERROR", "negative"));
        cases.add(Arguments.of("event-over-max-event-bytes", (HostileServer.Behaviour) c -> {
            c.write(SSE_HEAD);
            String line = "data: " + "y".repeat(1000) + "\n";
            for (int i = 0; i < 40; i++) {
                c.write(line);
            }
            c.write("\n");
        }, "LIMIT_EXCEEDED", "max.event.bytes=16384"));
        cases.add(Arguments.of("huge-response-head", (HostileServer.Behaviour) c ->
                c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Junk: " + "j".repeat(64 * 1024) + "\r\n\r\n"),
                "LIMIT_EXCEEDED", "head"));
        cases.add(Arguments.of("garbage-status-line", (HostileServer.Behaviour) c ->
                c.write("SSH-2.0-OpenSSH_9.6\r\n\r\n"), "PROTOCOL_ERROR", null));
        cases.add(Arguments.of("closed-before-head", (HostileServer.Behaviour) c -> { },
                "TRUNCATED", "before the response head"));
        cases.add(Arguments.of("bad-chunk-size", (HostileServer.Behaviour) c ->
                c.write(CHUNKED_SSE_HEAD + chunk(TOKEN) + "zz\r\nnope\r\n"), "PROTOCOL_ERROR", null));
        return cases.stream();
    }

    @BeforeAll
    static void start() throws IOException {
        server = new HostileServer();
        client = new StreamingHttpClient(1, Ticker.SYSTEM, LIMITS);
        misbehaviours().forEach(a -> server.on((String) a.get()[0], (HostileServer.Behaviour) a.get()[1]));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private ProbeResult probe(String behaviour) throws Exception {
        Endpoint e = StreamingHttpClientTest.endpoint(server.baseUrl(behaviour), "openai-chat");
        HttpCall call = Protocols.call(e, "sk-hostile", "hello", 16, null);
        Exchange ex = client.post(call, StreamParser.forProtocol("openai-chat")).get(10, TimeUnit.SECONDS);
        ProbeRequest req = new ProbeRequest("ep-1", "us-east", "a-0", 0, "timing-in1k-c1", "timing", 1000, 1, 16, 1000,
                null, null, null);
        return assembler.assemble(req, ex, 1_700_000_000_000L, "sk-hostile");
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misbehaviours")
    void shouldEndWithItsOutcomeAndNamedLimitWhenEndpointMisbehaves(String name, HostileServer.Behaviour ignored,
                                                                     String outcome, String errorFragment) throws Exception {
        long before = heapUsedAfterGc();
        ProbeResult r = probe(name);
        assertEquals(outcome, r.getOutcome(), name + ": " + r.getError());
        if (errorFragment != null) {
            assertTrue(r.getError() != null && r.getError().contains(errorFragment), name + ": " + r.getError());
        }
        assertTrue(r.getError() == null || r.getError().length() <= 512, "error text capped");
        // Nothing of the response stays reachable: a generous 32 MiB bound (a kept 10 MB line, or
        // an aggregated 10 MB body, would show as more than that after the collection).
        long retained = heapUsedAfterGc() - before;
        assertTrue(retained < 32 * MIB, name + " retained " + retained + " bytes");
    }

    /** The hostile endpoints of one round and one good one: the good one is measured as if alone. */
    @Test
    void shouldKeepProbingGoodEndpointWhenOthersMisbehaveInTheSameRound() throws Exception {
        server.on("good", c -> c.write(SSE_HEAD + TOKEN + FINISH + DONE));
        List<Endpoint> endpoints = new ArrayList<>();
        endpoints.add(Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl("good"), "openai-chat"))
                .setEndpointId("good").build());
        for (String bad : List.of("never-ending-stream", "ten-mb-line", "headers-never-sent", "reset-mid-stream",
                "html-500-page", "garbage-status-line")) {
            endpoints.add(Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(bad), "openai-chat"))
                    .setEndpointId(bad).build());
        }
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1,2", "canary.count", "0", "needle.lengths", "150",
                "needle.every.rounds", "1000", "first.byte.timeout.ms", "500", "request.timeout.ms", "1000",
                "max.line.bytes", "4096", "max.event.bytes", "16384", "max.response.bytes", "262144"));
        List<ProbeResult> results = new CopyOnWriteArrayList<>();
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> endpoints, results::add,
                ProbeAgentTest.FIXED, Ticker.SYSTEM, n -> null)) {
            agent.runRound().get(30, TimeUnit.SECONDS);
        }
        // needle round 0 is due (0 % 1000 == 0): 1 needle + 1 + 2 timing slots = 4 results per endpoint.
        Map<String, List<String>> outcomes = results.stream().collect(Collectors.groupingBy(ProbeResult::getEndpointId,
                Collectors.mapping(ProbeResult::getOutcome, Collectors.toList())));
        assertEquals(7, outcomes.size(), outcomes.toString());
        assertEquals(List.of("OK", "OK", "OK", "OK"), outcomes.get("good"));
        assertEquals(28, results.size());
    }
}
