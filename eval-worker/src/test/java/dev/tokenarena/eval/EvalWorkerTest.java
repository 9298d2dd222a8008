package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker against a fake endpoint server that answers suite item i correctly unless
 * i mod 4 == 3, always with usage 100 prompt / 50 completion tokens, and a fixed 2-position
 * logprobs completion for fingerprint prompts; a second endpoint always answers HTTP 500; under
 * /plain, fingerprint prompts get the same completion without logprobs.
 */
class EvalWorkerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z"); // 1735689600000 ms
    private static final String CANARY = "sk-canary-eval-91c7";

    @TempDir
    Path dir;

    private TestServer server;
    private final Map<String, Integer> indexByQuestion = new HashMap<>();
    private final RecordingSink sink = new RecordingSink();
    private final List<JsonNode> plainFingerprintRequests = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void startServer() throws IOException {
        Gsm8kSuite suite = Gsm8kSuite.sample();
        for (int i = 0; i < suite.size(); i++) {
            indexByQuestion.put(suite.items().get(i).question(), i);
        }
        server = new TestServer(ex -> {
            JsonNode req = JSON.readTree(TestServer.body(ex));
            if (ex.getRequestURI().getPath().startsWith("/broken")) {
                TestServer.respond(ex, 500, "{\"error\":\"boom\"}");
                return;
            }
            String content = req.at("/messages/0/content").asText();
            if (ex.getRequestURI().getPath().startsWith("/plain") && !content.endsWith(EvalWorker.PROMPT_SUFFIX)) {
                plainFingerprintRequests.add(req);
                TestServer.respond(ex, 200, """
                        {"choices":[{"message":{"content":"Hello there"},"finish_reason":"length"}],
                         "usage":{"prompt_tokens":9,"completion_tokens":2}}
                        """);
                return;
            }
            if (req.path("logprobs").asBoolean()) {
                TestServer.respond(ex, 200, """
                        {"choices":[{"message":{"content":"Hello there"},"logprobs":{"content":[
                          {"token":"Hello","logprob":-0.1,"top_logprobs":[{"token":"Hello","logprob":-0.1},{"token":"Hi","logprob":-2.4}]},
                          {"token":" there","logprob":-0.5,"top_logprobs":[{"token":" there","logprob":-0.5},{"token":"!","logprob":-1.1}]}]}}],
                         "usage":{"prompt_tokens":9,"completion_tokens":2}}
                        """);
                return;
            }
            String prompt = req.at("/messages/0/content").asText();
            String question = prompt.substring(0, prompt.length() - EvalWorker.PROMPT_SUFFIX.length());
            int index = indexByQuestion.get(question);
            String answer = index % 4 == 3 ? "999999" : suite.items().get(index).expectedAnswer();
            TestServer.respond(ex, 200, "{\"choices\":[{\"message\":{\"content\":" + JSON.writeValueAsString(
                    "Working it out.\\n#### " + answer) + "},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":50}}");
        });
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private EvalConfig config(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "unused:9092");
        props.put("schema.registry.url", "http://unused:8081");
        props.put(EvalConfig.ITEMS_PER_ROUND, 10);
        props.put(EvalConfig.FINGERPRINT_PROMPTS_PER_ROUND, 3);
        props.put(EvalConfig.REQUEST_TIMEOUT_MS, 5000L);
        props.put(EvalConfig.MAX_IN_FLIGHT, 4);
        props.putAll(extra);
        return new EvalConfig(props);
    }

    private List<Endpoint> endpoints() {
        String base = server.baseUrl().replace("/v1", "");
        return List.of(endpoint("good", base + "/good/v1", true), endpoint("broken", base + "/broken/v1", false));
    }

    private static Endpoint endpoint(String id, String baseUrl, boolean logprobs) {
        return Endpoint.newBuilder().setEndpointId(id).setProvider("acme").setModel("llama-3.3-70b").setSku("turbo")
                .setPrecision("fp8").setDecoding("default").setRegion("us-east").setGridZone("US-MIDA-PJM")
                .setProtocol("openai-chat").setBaseUrl(baseUrl).setModelName("llama").setApiKeyEnv("ACME_API_KEY")
                .setReference(false).setContextTokens(131072).setLogprobs(logprobs).setUpdatedAtMs(0L).build();
    }

    private static PriceQuote price(String id, double in, double out) {
        return PriceQuote.newBuilder().setEndpointId(id).setInputUsdPerMtok(in).setOutputUsdPerMtok(out)
                .setSource("test").setEffectiveFromMs(0L).build();
    }

    private EvalWorker worker(EvalConfig config, Function<String, PriceQuote> prices) {
        return new EvalWorker(config, this::endpoints, prices, sink, Clock.fixed(NOW, ZoneOffset.UTC),
                Map.of("ACME_API_KEY", CANARY)::get);
    }

    private static final Function<String, PriceQuote> PRICES =
            Map.of("good", price("good", 2.0, 10.0), "broken", price("broken", 1.0, 1.0))::get;

    @Test
    void shouldGradeAndCostItemsWhenRoundRuns() {
        try (EvalWorker worker = worker(config(Map.of()), PRICES)) {
            RoundSummary s = worker.runRound();

            // good: items 0..9, wrong where i mod 4 == 3 (items 3 and 7) -> 8 of 10 correct.
            // Cost per item = 100 * 2.00 / 1e6 + 50 * 10.00 / 1e6 = 0.0002 + 0.0005 = 0.0007 USD; 10 items = 0.007.
            // broken: 10 HTTP 500 results, unbilled; its 3 fingerprint requests (without logprobs,
            // it has none) fail too and publish nothing.
            assertEquals(2, s.endpoints());
            assertEquals(20, s.items());
            assertEquals(10, s.itemsOk());
            assertEquals(8, s.correct());
            assertEquals(0.007, s.costUsd(), 1e-12);
            assertEquals(6, s.fingerprints());
            assertEquals(3, s.fingerprintsOk());

            List<EvalItemResult> good = sink.results("good");
            assertEquals(10, good.size());
            assertEquals(0.8, good.stream().filter(EvalItemResult::getCorrect).count() / 10.0, 1e-12);
            EvalItemResult item3 = good.get(3);
            assertEquals("gsm8k-sample-0003", item3.getItemId());
            assertFalse(item3.getCorrect());
            assertEquals("999999", item3.getExtractedAnswer());
            assertEquals("OK", item3.getOutcome());
            assertEquals(100, item3.getInputTokens());
            assertEquals(50, item3.getOutputTokens());
            assertEquals(0.0007, item3.getCostUsd(), 1e-12);
            assertTrue(item3.getPriced());
            assertEquals(1735689600000L, item3.getStartedAtMs());
            assertEquals("gsm8k-sample:good:pass-0", item3.getRunId());
            assertEquals(EvalWorker.recordId("good", "gsm8k-sample:good:pass-0", "gsm8k-sample-0003"), item3.getResultId());

            List<EvalItemResult> broken = sink.results("broken");
            assertEquals(10, broken.size());
            assertTrue(broken.stream().allMatch(r -> r.getOutcome().equals("HTTP_ERROR") && !r.getCorrect()
                    && r.getCostUsd() == 0.0 && r.getError().startsWith("HTTP 500")));

            List<FingerprintSample> fps = sink.fingerprints();
            assertEquals(List.of("fp-v1-0000", "fp-v1-0001", "fp-v1-0002"),
                    fps.stream().map(FingerprintSample::getPromptId).sorted().toList());
            FingerprintSample fp = fps.get(0);
            assertEquals("good", fp.getEndpointId());
            assertEquals("llama-3.3-70b", fp.getModel());
            assertEquals(5, fp.getTopK());
            assertTrue(fp.getLogprobsAvailable());
            assertEquals("Hello there", fp.getCompletion());
            assertEquals(2, fp.getPositions().size());
            assertEquals("Hi", fp.getPositions().get(0).getTop().get(1).getToken());
            assertEquals(-2.4, fp.getPositions().get(0).getTop().get(1).getLogprob(), 0.0);

            assertFalse(sink.everything().contains(CANARY), "the API key must never reach a record");
        }
    }

    @Test
    void shouldContinueThroughSuiteAndWrapIntoNextPassWhenRoundsRepeat() {
        try (EvalWorker worker = worker(config(Map.of(EvalConfig.FINGERPRINT_PROMPTS_PER_ROUND, 0)), PRICES)) {
            worker.runRound();
            RoundSummary second = worker.runRound();
            // Round 2 covers items 10..19; wrong: 11, 15, 19 -> 7 correct.
            assertEquals(7, second.correct());
            assertEquals(List.of("gsm8k-sample-0010", "gsm8k-sample-0019"),
                    List.of(sink.results("good").get(10).getItemId(), sink.results("good").get(19).getItemId()));
            assertEquals(new EvalPositions(20, 0), worker.positions().get("good"));

            // From position 35: items 35..39 (pass 0) then 0..4 (pass 1).
            worker.restorePositions(Map.of("good", new EvalPositions(35, 0)));
            sink.clear();
            worker.runRound();
            List<EvalItemResult> good = sink.results("good");
            assertEquals("gsm8k-sample-0039", good.get(4).getItemId());
            assertEquals("gsm8k-sample:good:pass-0", good.get(4).getRunId());
            assertEquals("gsm8k-sample-0000", good.get(5).getItemId());
            assertEquals("gsm8k-sample:good:pass-1", good.get(5).getRunId());
            assertEquals(new EvalPositions(45, 0), worker.positions().get("good"));
        }
    }

    @Test
    void shouldResumeFromPositionFileWhenRestarted() throws IOException {
        EvalConfig config = config(Map.of(EvalConfig.STATE_DIR, dir.toString()));
        try (EvalWorker first = worker(config, PRICES)) {
            first.runRound();
        }
        String saved = Files.readString(dir.resolve(PositionFile.FILE_NAME));
        assertTrue(saved.contains("eval.good=10") && saved.contains("fp.good=3") && saved.contains("fp.broken=3"), saved);
        sink.clear();
        try (EvalWorker second = worker(config, PRICES)) {
            second.runRound();
        }
        // The restarted worker goes on with items 10..19 and prompts 3..5.
        assertEquals("gsm8k-sample-0010", sink.results("good").get(0).getItemId());
        assertEquals("fp-v1-0003", sink.fingerprints().stream().map(FingerprintSample::getPromptId).sorted()
                .findFirst().orElseThrow());
    }

    /** No logprobs: the prompts go out without logprobs and the sample carries the completion only. */
    @Test
    void shouldSendFingerprintPromptsWithoutLogprobsWhenEndpointHasNone() {
        String base = server.baseUrl().replace("/v1", "");
        Endpoint plain = endpoint("plain", base + "/plain/v1", false);
        try (EvalWorker worker = new EvalWorker(config(Map.of(EvalConfig.ITEMS_PER_ROUND, 0)), () -> List.of(plain),
                PRICES, sink, Clock.fixed(NOW, ZoneOffset.UTC), Map.of("ACME_API_KEY", CANARY)::get)) {
            RoundSummary s = worker.runRound();
            assertEquals(3, s.fingerprintsOk());
            assertEquals(3, plainFingerprintRequests.size());
            assertTrue(plainFingerprintRequests.stream().noneMatch(r -> r.has("logprobs") || r.has("top_logprobs")),
                    plainFingerprintRequests.toString());
            FingerprintSample fp = sink.fingerprints().get(0);
            assertEquals("plain", fp.getEndpointId());
            assertFalse(fp.getLogprobsAvailable());
            assertEquals(0, fp.getTopK());
            assertEquals("Hello there", fp.getCompletion());
            assertTrue(fp.getPositions().isEmpty());
        }
    }

    /**
     * No price for either endpoint (self-hosted without a token price): items are still graded,
     * published unpriced at cost 0 (a NaN would send each one to scoring's DLQ), and the worker says
     * so once per endpoint, not once per item or round.
     */
    @Test
    void shouldPublishGradedItemsUnpricedAndLogOncePerEndpointWhenNoPriceKnown() {
        StringWriter logged = new StringWriter();
        Appender capture = WriterAppender.newBuilder().setName("unpriced-capture").setTarget(logged)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        capture.start();
        org.apache.logging.log4j.core.Logger workerLog =
                (org.apache.logging.log4j.core.Logger) LogManager.getLogger(EvalWorker.class);
        workerLog.addAppender(capture);
        try (EvalWorker worker = worker(config(Map.of(EvalConfig.FINGERPRINT_PROMPTS_PER_ROUND, 0)), id -> null)) {
            RoundSummary first = worker.runRound();
            worker.runRound();

            // good: items 0..19 over two rounds, wrong where i mod 4 == 3 -> 15 of 20 correct, as priced
            List<EvalItemResult> good = sink.results("good");
            assertEquals(20, good.size());
            assertEquals(15, good.stream().filter(EvalItemResult::getCorrect).count());
            assertTrue(good.stream().allMatch(r -> !r.getPriced() && r.getCostUsd() == 0.0 && r.getOutcome().equals("OK")
                    && r.getOutputTokens() == 50), good.toString());
            assertFalse(good.get(3).getCorrect());
            assertEquals("999999", good.get(3).getExtractedAnswer());
            // broken: failed requests of an unpriced endpoint are unpriced too
            assertTrue(sink.results("broken").stream().allMatch(r -> !r.getPriced() && r.getCostUsd() == 0.0));
            // round 1: 8 of 10 correct; the round's cost is 0, not NaN
            assertEquals(8, first.correct());
            assertEquals(0.0, first.costUsd(), 0.0);
        } finally {
            workerLog.removeAppender(capture);
            capture.stop();
        }
        List<String> unpriced = logged.toString().lines().filter(l -> l.contains("no token price known")).toList();
        assertEquals(2, unpriced.size(), unpriced.toString());
        assertTrue(unpriced.get(0).startsWith("endpoint good:") || unpriced.get(1).startsWith("endpoint good:"),
                unpriced.toString());
    }

    /** Collects records; ordered by item id because requests finish in any order. */
    static final class RecordingSink implements EvalSink {
        private final List<EvalItemResult> results = Collections.synchronizedList(new ArrayList<>());
        private final List<FingerprintSample> fingerprints = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accept(EvalItemResult result) {
            results.add(result);
        }

        @Override
        public void accept(FingerprintSample sample) {
            fingerprints.add(sample);
        }

        List<EvalItemResult> results(String endpointId) {
            synchronized (results) {
                return results.stream().filter(r -> r.getEndpointId().equals(endpointId))
                        .sorted(Comparator.comparing(EvalItemResult::getRunId).thenComparing(EvalItemResult::getItemId))
                        .collect(Collectors.toList());
            }
        }

        List<FingerprintSample> fingerprints() {
            synchronized (fingerprints) {
                return List.copyOf(fingerprints);
            }
        }

        String everything() {
            synchronized (results) {
                synchronized (fingerprints) {
                    return results + "" + fingerprints;
                }
            }
        }

        void clear() {
            results.clear();
            fingerprints.clear();
        }
    }
}
