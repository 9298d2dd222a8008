package dev.tokenarena.scoring.api;

import static dev.tokenarena.scoring.api.TestEvents.BAD;
import static dev.tokenarena.scoring.api.TestEvents.GOOD;
import static dev.tokenarena.scoring.api.TestEvents.MINUTE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.scoring.ScoringApp;
import dev.tokenarena.scoring.ScoringConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two scoring instances in one JVM (same application.id, own state dirs and API ports) on the
 * shared broker: every key answers the same from either instance, whichever hosts it.
 */
@Tag("slow")
class ApiIT {

    /**
     * Two days ago on the hour: within the input topics' retention (the broker deletes older
     * records), later than other tests' fixed dates (their rows are stale in these leaderboards),
     * and outside ReplayIT's range.
     */
    private static final long T0 = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS).toEpochMilli();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void shouldAnswerEveryKeyFromEitherInstanceWhenTwoInstancesShareTheApplication() throws Exception {
        EmbeddedKafka kafka = TestEvents.catalogueBroker();
        String ns = "api" + UUID.randomUUID().toString().substring(0, 8);
        TestEvents.createTopics(kafka, ns);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        Path dir = Files.createTempDirectory(Path.of("target"), "api-it-");
        Path params = TestEvents.minPrompts2Params(dir);
        String model = "m-" + ns;
        String ref = ns + "-ref";
        String e1 = ns + "-e1";
        String e2 = ns + "-e2";
        try (KafkaProducer<String, byte[]> producer = TestEvents.producer(kafka);
             ScoringApp a = new ScoringApp(config(kafka, ns, dir.resolve("a"), params), registry);
             ScoringApp b = new ScoringApp(config(kafka, ns, dir.resolve("b"), params), registry)) {
            TestEvents.send(producer, registry, Topics.ENDPOINTS, ref, TestEvents.endpoint(ref, model, true, T0), T0);
            TestEvents.send(producer, registry, Topics.ENDPOINTS, e1, TestEvents.endpoint(e1, model, false, T0), T0);
            TestEvents.send(producer, registry, Topics.ENDPOINTS, e2, TestEvents.endpoint(e2, model, false, T0), T0);
            TestEvents.send(producer, registry, Topics.PRICES, e1, TestEvents.price(e1, 0.60, 0.80, T0), T0);
            TestEvents.send(producer, registry, Topics.PRICES, e2, TestEvents.price(e2, 1.20, 1.60, T0), T0);
            producer.flush();
            a.start();
            b.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> a.state() == KafkaStreams.State.RUNNING
                    && b.state() == KafkaStreams.State.RUNNING);
            String urlA = "http://localhost:" + a.api().orElseThrow().port();
            String urlB = "http://localhost:" + b.api().orElseThrow().port();
            assertTrue(b.api().orElseThrow().awaitAlertStreamReady(Duration.ofSeconds(30)));
            List<String> events = new CopyOnWriteArrayList<>();
            CompletableFuture<HttpResponse<Stream<String>>> sse = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(urlB + "/alerts/stream")).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            sse.thenAccept(r -> r.body().forEach(events::add));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains(": subscribed"));

            // the reference runs twice on both prompts (SKL 0: noise floor 100), so its samples are in
            // the reference store before e1's arrive (they meet through a repartition topic)
            for (long at : new long[] {T0 + MINUTE, T0 + 2 * MINUTE}) {
                for (String p : List.of("p1", "p2")) {
                    TestEvents.send(producer, registry, Topics.EVAL_FINGERPRINTS, ref,
                            TestEvents.fingerprint(ref, model, p, at, GOOD), at);
                }
            }
            producer.flush();
            awaitJson(urlA + "/endpoints/" + ref, n -> n.at("/stats/fidelity-stats/prompts").asInt() == 2);

            for (long at : new long[] {T0 + MINUTE, T0 + 2 * MINUTE, T0 + 5 * MINUTE, T0 + 9 * MINUTE}) {
                TestEvents.send(producer, registry, Topics.PROBE_RESULTS, e1, TestEvents.probe(e1, at, 50.0), at);
                TestEvents.send(producer, registry, Topics.PROBE_RESULTS, e2, TestEvents.probe(e2, at, 25.0), at);
            }
            // e1 differs on both prompts: SKL 0.895880 each -> F = 100 exp(-0.895880) = 100 / sqrt(6)
            // = 40.82 < 90, 2 prompts >= min 2 -> modified: one FIDELITY alert OPEN, critical
            for (String p : List.of("p1", "p2")) {
                TestEvents.send(producer, registry, Topics.EVAL_FINGERPRINTS, e1,
                        TestEvents.fingerprint(e1, model, p, T0 + 3 * MINUTE, BAD), T0 + 3 * MINUTE);
            }
            producer.flush();
            // composites are emitted on stream-time punctuation of the cohort task: one later probe
            // each moves its stream time past the last emit interval (same speeds, same scores)
            awaitJson(urlA + "/endpoints/" + e2, n -> n.at("/stats/probe-stats/probe_count").asInt() == 4);
            TestEvents.send(producer, registry, Topics.PROBE_RESULTS, e1, TestEvents.probe(e1, T0 + 15 * MINUTE, 50.0),
                    T0 + 15 * MINUTE);
            TestEvents.send(producer, registry, Topics.PROBE_RESULTS, e2, TestEvents.probe(e2, T0 + 15 * MINUTE, 25.0),
                    T0 + 15 * MINUTE);
            producer.flush();

            // chat = 100 x (0.25 speed + 0.20 ttft + 0.25 price + 0.20 quality + 0.10 reliability) over
            // normalized factors: e1 faster and cheaper (1, 1), TTFT equal (1 for both), quality missing
            // (0), success 100% both (1): e1 = 25 + 20 + 25 + 10 = 80, e2 = 20 + 10 = 30
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    JsonNode lb = getJson(urlA + "/leaderboard/chat");
                    if (lb != null) {
                        lastFailure = lb.toString();
                    }
                    return lb != null && lb.path("rows").size() == 2;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("leaderboard chat: " + lastFailure, e);
            }
            JsonNode chat = getJson(urlB + "/leaderboard/chat");
            assertEquals(e1, chat.at("/rows/0/composite/endpoint_id").asText());
            assertEquals(80.0, chat.at("/rows/0/composite/score").asDouble(), 1e-9);
            assertEquals(e2, chat.at("/rows/1/composite/endpoint_id").asText());
            assertEquals(30.0, chat.at("/rows/1/composite/score").asDouble(), 1e-9);
            // chat blended price of e1: (3 x 0.60 + 1 x 0.80) / 4 = 0.65 USD/Mtok
            assertEquals(0.65, chat.at("/rows/0/composite/blended_usd_per_mtok").asDouble(), 1e-12);
            assertEquals("1h", chat.path("window").asText());
            // the 24 h board of the same preset: its own window, same two endpoints in the same order
            // (every probe of this test lies in both windows, so the factors and scores are equal)
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                JsonNode day = getJson(urlA + "/leaderboard/chat?window=24h");
                assertNotNull(day, "24h board");
                assertEquals("24h", day.path("window").asText());
                assertEquals(e1, day.at("/rows/0/composite/endpoint_id").asText(), day.toString());
                assertEquals(e2, day.at("/rows/1/composite/endpoint_id").asText(), day.toString());
            });
            assertEquals(400, status(urlA + "/leaderboard/chat?window=..%2F"));

            // every preset: same answer from both instances, served by the instance that owns the key
            Map<String, String> owners = new HashMap<>();
            for (String preset : a.params().presets().keySet()) {
                HostInfo owner = a.streams().queryMetadataForKey("leaderboard-composites", preset,
                        new StringSerializer()).activeHost();
                owners.put(preset, owner.toString());
                // Input may still be flowing (a later window can replace the snapshot between the two
                // calls), so ask both until they agree; a routing bug never converges.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    JsonNode fromA = getJson(urlA + "/leaderboard/" + preset);
                    JsonNode fromB = getJson(urlB + "/leaderboard/" + preset);
                    assertNotNull(fromA, preset);
                    assertNotNull(fromB, preset);
                    assertEquals(owner.toString(), fromA.get("served_by").asText(), preset);
                    assertEquals(owner.toString(), fromB.get("served_by").asText(), preset);
                    assertEquals(fromA, fromB, preset);
                });
            }
            assertEquals(2, owners.values().stream().distinct().count(),
                    "6 presets over 6 partitions and 2 instances: both instances own some " + owners);

            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    JsonNode all = getJson(urlA + "/alerts");
                    lastFailure = all + " / e1: " + getJson(urlA + "/endpoints/" + e1);
                    return alertOf(getJson(urlA + "/alerts?state=OPEN"), e1) != null;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("alerts: " + lastFailure, e);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertEquals(getJson(urlA + "/alerts?state=OPEN"), getJson(urlB + "/alerts?state=OPEN")));
            JsonNode openA = getJson(urlA + "/alerts?state=OPEN");
            JsonNode alert = alertOf(openA, e1);
            assertEquals("OPEN", alert.get("state").asText());
            assertEquals("critical", alert.get("severity").asText());
            assertEquals(e1 + ":FIDELITY:" + (T0 + 3 * MINUTE), alert.get("alert_id").asText());
            assertTrue(alert.path("summary").asText().contains(e1), alert.toString()); // the OPEN event's summary
            for (JsonNode n : openA) {
                assertEquals("OPEN", n.get("state").asText());
            }
            // the stream of instance B carried the transition, wherever the alert's partition lives
            await().atMost(Duration.ofSeconds(30)).until(() -> events.stream()
                    .anyMatch(l -> l.startsWith("data: ") && l.contains(e1 + ":FIDELITY") && l.contains("\"OPEN\"")));

            for (String id : List.of(ref, e1, e2)) {
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> getJson(urlA + "/endpoints/" + id) != null);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("endpoint " + id + ": " + lastFailure, e);
                }
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertEquals(getJson(urlA + "/endpoints/" + id), getJson(urlB + "/endpoints/" + id), id));
            }
            JsonNode detail = getJson(urlB + "/endpoints/" + e1);
            assertEquals(80.0, detail.at("/composites/chat/score").asDouble(), 1e-9);
            // F = 100 / sqrt(6) = 40.8248
            assertEquals(40.8248, detail.at("/stats/fidelity-stats/fidelity").asDouble(), 1e-3);
            assertEquals("modified", detail.at("/stats/fidelity-stats/status").asText());
            // probes at 10:01, 10:02, 10:05, 10:09, 10:15: the hour windows tiling time are
            // [09:00, 10:00) (none) and [10:00, 11:00) with all 5 -> one history row of 5 probes
            assertEquals(1, detail.get("history").size(), detail.get("history").toString());
            assertEquals(T0, detail.at("/history/0/start_ms").asLong());
            assertEquals(5, detail.at("/history/0/value/probe_count").asLong(), detail.get("history").toString());

            assertEquals(404, status(urlA + "/endpoints/" + ns + "-nobody"));
            assertEquals(404, status(urlA + "/leaderboard/no-such-preset"));
            assertEquals(400, status(urlA + "/alerts?state=MAYBE"));
            assertEquals(200, status(urlB + "/health"));
            // the dashboard through the real pipeline (codec, aggregator, worker group), as a browser gets it
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(urlB + "/")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("connect-src 'self'"));
            assertTrue(page.body().contains("new EventSource('/alerts/stream')"));
            sse.cancel(true);
        }
    }

    private void awaitJson(String url, java.util.function.Predicate<JsonNode> ready) {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                JsonNode n = getJson(url);
                if (n != null) {
                    lastFailure = n.toString();
                }
                return n != null && ready.test(n);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(url + ": " + lastFailure, e);
        }
    }

    private static JsonNode alertOf(JsonNode alerts, String endpoint) {
        for (JsonNode n : alerts) {
            if (n.get("endpoint_id").asText().equals(endpoint) && n.get("kind").asText().equals("FIDELITY")) {
                return n;
            }
        }
        return null;
    }

    private volatile String lastFailure = "";

    private JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            lastFailure = url + " -> " + r.statusCode() + " " + r.body();
            return null;
        }
        JsonNode node = JSON.readTree(r.body());
        if (node instanceof ObjectNode o && url.contains("/leaderboard/")) {
            return o; // served_by kept: the test compares it with the owner
        }
        return node;
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static ScoringConfig config(EmbeddedKafka kafka, String ns, Path stateDir, Path params) {
        return new ScoringConfig(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", "http://registry.unused",
                ScoringConfig.APPLICATION_ID, "scoring-api-it-" + ns,
                ScoringConfig.STATE_DIR, stateDir.toString(),
                ScoringConfig.OUTPUT_NAMESPACE, ns,
                ScoringConfig.COMMIT_INTERVAL_MS, "100",
                ScoringConfig.SCORING_PARAMS_FILE, params.toString(),
                ScoringConfig.API_PORT, "0",
                ScoringConfig.API_HOST, "localhost"));
    }
}
