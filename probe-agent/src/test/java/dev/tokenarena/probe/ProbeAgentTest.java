package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.testing.LogCapture;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeAgentTest {

    static final Pattern CODE = Pattern.compile("The secret code is (\\d{4}-\\d{4})");
    static final Clock FIXED = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private FakeLlmServer server;
    private final List<ProbeResult> results = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeLlmServer();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    static Map<String, String> baseConfig() {
        Map<String, String> c = new HashMap<>();
        c.put("bootstrap.servers", "localhost:9092");
        c.put("schema.registry.url", "http://localhost:8081");
        c.put("region", "us-east");
        c.put("max.tokens", "16");
        c.put("request.timeout.ms", "10000");
        return c;
    }

    /** Streams "Hello there", or the secret code when the prompt hides one. */
    static FakeLlmServer.Reply answer(FakeLlmServer.Received r) {
        Matcher m = CODE.matcher(r.body());
        String text = m.find() ? m.group(1) : "Hello there";
        return FakeLlmServer.Reply.sse(List.of(
                "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"" + text + "\"}}]}\n\n",
                "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}\n\n",
                "data: [DONE]\n\n"));
    }

    private Endpoint endpoint(String id) {
        return Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat"))
                .setEndpointId(id).setContextTokens(4096).build();
    }

    @Test
    void shouldPlanNeedlesAndCanariesBeforeTimingWhenNeedleRoundIsDue() {
        Map<String, String> cfg = baseConfig();
        cfg.put("input.tokens", "100");
        cfg.put("concurrency", "1,3");
        cfg.put("canary.count", "1");
        cfg.put("needle.lengths", "200");
        cfg.put("needle.every.rounds", "2");
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), List::of, results::add,
                FIXED, Ticker.SYSTEM, name -> null)) {
            // round 0 is a needle round (0 mod 2 = 0): needle, canary, then the two timing steps
            assertEquals(List.of("needle-200", "canary-0", "timing-in100-c1", "timing-in100-c3"),
                    agent.plan(endpoint("ep-a"), 0).stream().map(ProbeAgent.Step::scenario).toList());
            // round 1 is not: canary, then timing
            assertEquals(List.of("canary-0", "timing-in100-c1", "timing-in100-c3"),
                    agent.plan(endpoint("ep-a"), 1).stream().map(ProbeAgent.Step::scenario).toList());
        }
    }

    @Test
    void shouldRunEveryScenarioCappedAtContextWhenRoundIncludesNeedles() throws Exception {
        server.script(ProbeAgentTest::answer);
        Map<String, String> cfg = baseConfig();
        cfg.put("input.tokens", "100,5000");
        cfg.put("concurrency", "1,3");
        cfg.put("canary.count", "2");
        cfg.put("needle.lengths", "200,100000");
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(endpoint("ep-a")), results::add,
                FIXED, Ticker.SYSTEM, name -> null)) {
            ProbeAgent.RoundReport report = agent.runRound().get(60, TimeUnit.SECONDS);

            // Input cap: floor((4096 context - 16 max_tokens) * (1 - 0.05 headroom)) = floor(3876.0) = 3876.
            // Timing: inputs {100, 3876} x concurrency {1, 3} = 2 * (1 + 3) = 8 requests; 2 canaries;
            // needles {200, 3876} in round 0: 12 results.
            assertEquals(new ProbeAgent.RoundReport(0, 1, 12, 0), report);
        }
        Map<String, Long> perScenario = results.stream()
                .collect(Collectors.groupingBy(ProbeResult::getScenario, Collectors.counting()));
        assertEquals(Map.of("timing-in100-c1", 1L, "timing-in100-c3", 3L, "timing-in3876-c1", 1L, "timing-in3876-c3", 3L,
                "canary-0", 1L, "canary-1", 1L, "needle-200", 1L, "needle-3876", 1L), perScenario);
        for (ProbeResult r : results) {
            assertEquals("OK", r.getOutcome(), r.toString());
            assertEquals(FIXED.millis(), r.getStartedAtMs());
            assertEquals("us-east", r.getRegion());
            assertEquals("us-east-0", r.getAgentId());
            if (r.getKind().equals("timing") || r.getKind().equals("needle")) {
                assertEquals(r.getInputTokensTarget(), r.getInputTokensLocal(), r.getScenario());
            }
        }
        ProbeResult canary = results.stream().filter(r -> r.getScenario().equals("canary-0")).findFirst().orElseThrow();
        assertEquals(ResultAssembler.sha256("Hello there!"), canary.getResponseSha256());
        assertEquals("canary-0", canary.getCanaryId());
        assertTrue(results.stream().filter(r -> r.getKind().equals("needle")).allMatch(ProbeResult::getNeedleFound));
        assertEquals(Set.of(200, 3876), results.stream().filter(r -> r.getKind().equals("needle"))
                .map(ProbeResult::getNeedleContextTokens).collect(Collectors.toSet()));
        // Every request carried its own nonce, so 12 distinct prompt openings.
        assertEquals(12, server.received().stream().map(r -> r.body().substring(0, 120)).distinct().count());
        // Canaries and needles at temperature 0; timing requests leave the server default.
        assertEquals(4, server.received().stream().filter(r -> r.body().contains("\"temperature\":0.0")).count());
    }

    @Test
    void shouldHaveAllSlotsInFlightTogetherWhenConcurrencyIsThree() throws Exception {
        // The server holds each timing request until all three have arrived; a sequential client would break the barrier.
        CyclicBarrier barrier = new CyclicBarrier(3);
        server.script(r -> {
            if (!CODE.matcher(r.body()).find()) {
                try {
                    barrier.await(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return FakeLlmServer.Reply.status(500, "barrier broken");
                }
            }
            return answer(r);
        });
        Map<String, String> cfg = baseConfig();
        cfg.put("input.tokens", "100");
        cfg.put("concurrency", "3");
        cfg.put("canary.count", "0");
        cfg.put("needle.lengths", "150");
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(endpoint("ep-a")), results::add,
                FIXED, Ticker.SYSTEM, name -> null)) {
            agent.runRound().get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of("OK", "OK", "OK"), results.stream().filter(r -> r.getKind().equals("timing"))
                .map(ProbeResult::getOutcome).toList());
    }

    @Test
    void shouldSkipNeedlesWhenRoundIsNotAMultipleOfNeedleEveryRounds() throws Exception {
        server.script(ProbeAgentTest::answer);
        Map<String, String> cfg = baseConfig();
        cfg.put("input.tokens", "100");
        cfg.put("concurrency", "1");
        cfg.put("canary.count", "1");
        cfg.put("needle.lengths", "150");
        cfg.put("needle.every.rounds", "2");
        List<ProbeAgent.RoundReport> reports = new ArrayList<>();
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(endpoint("ep-a")), results::add,
                FIXED, Ticker.SYSTEM, name -> null)) {
            for (int i = 0; i < 3; i++) {
                reports.add(agent.runRound().get(30, TimeUnit.SECONDS));
            }
        }
        // Rounds 0 and 2 have timing + canary + needle = 3 results; round 1 has no needle = 2.
        assertEquals(List.of(3, 2, 3), reports.stream().map(ProbeAgent.RoundReport::results).toList());
        assertEquals(List.of(0L, 1L, 2L), reports.stream().map(ProbeAgent.RoundReport::round).toList());
    }

    @Test
    void shouldProbeOnlyItsRendezvousShareWhenThreeAgentsAreLive() throws Exception {
        server.script(ProbeAgentTest::answer);
        List<String> agents = List.of("us-east-a", "us-east-b", "us-east-c");
        Set<String> live = Set.copyOf(agents);
        List<Endpoint> catalogue = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            catalogue.add(endpoint("endpoint-" + i));
        }
        Rendezvous rendezvous = new Rendezvous(Rendezvous.HASH);
        Set<String> probed = new TreeSet<>();
        for (String agentId : agents) {
            Map<String, String> cfg = baseConfig();
            cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1", "canary.count", "0", "needle.lengths", "150",
                    "agent.id", agentId));
            results.clear();
            Membership fixed = new Membership() {
                @Override
                public Set<String> liveAgents() {
                    return live;
                }

                @Override
                public void close() {
                }
            };
            try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> catalogue, results::add,
                    FIXED, Ticker.SYSTEM, name -> null, new ProbeMetrics(), id -> null, fixed)) {
                agent.runRound().get(30, TimeUnit.SECONDS);
            }
            for (ProbeResult r : results) {
                assertEquals(agentId, rendezvous.owner(r.getEndpointId(), live), r.getEndpointId());
                assertTrue(probed.add(r.getEndpointId() + "/" + r.getScenario()), "probed twice: " + r.getEndpointId());
            }
        }
        // 6 endpoints x (1 timing + 1 needle) = 12 probes in all, none lost, none doubled.
        assertEquals(12, probed.size());
    }

    @Test
    void shouldNotProbeWhenTheApiKeyVariableIsUnset() throws Exception {
        server.script(ProbeAgentTest::answer);
        Endpoint keyed = Endpoint.newBuilder(endpoint("ep-k")).setApiKeyEnv("MISSING_KEY").build();
        try (LogCapture logs = new LogCapture();
             ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(baseConfig()), () -> List.of(keyed), results::add,
                     FIXED, Ticker.SYSTEM, name -> null)) {
            assertEquals(0, agent.runRound().get(30, TimeUnit.SECONDS).results());
            assertTrue(logs.lines().contains("endpoint ep-k: environment variable MISSING_KEY is not set; endpoint not probed"),
                    logs.lines().toString());
        }
        assertTrue(server.received().isEmpty());
        assertFalse(results.iterator().hasNext());
    }
}
