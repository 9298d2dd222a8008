package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.testing.LogCapture;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Open-loop scenarios of a probe round over real sockets. */
class OpenLoopSocketTest {

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

    private static Map<String, String> config(String maxInFlight) {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1", "canary.count", "0", "needle.every.rounds", "1000",
                "needle.lengths", "150", "arrival.rates", "20", "arrival.duration.ms", "1000",
                "arrival.max.in.flight", maxInFlight, "arrival.seed", "5", "request.timeout.ms", "1500"));
        return cfg;
    }

    private Endpoint endpoint() {
        return Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat")).setEndpointId("ep-open").build();
    }

    private List<ProbeResult> openLoop() {
        return results.stream().filter(r -> r.getScenario().equals("timing-in100-r20")).toList();
    }

    @Test
    void shouldSendEveryScheduledArrivalWhenTheServerKeepsUp() throws Exception {
        server.script(ProbeAgentTest::answer);
        // The schedule is fixed by the seed: recompute it here for round 0 of this endpoint.
        int arrivals = PoissonArrivals.offsetsNanos(ProbeAgent.arrivalSeed(5, "ep-open", 0), 20, 1_000_000_000L).length;
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(config("100")), () -> List.of(endpoint()), results::add,
                ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> null)) {
            agent.runRound().get(30, TimeUnit.SECONDS);
            assertEquals(0, agent.openLoopDropped());
        }
        // 20/s for 1 s: about 20 arrivals (Poisson: 10..30 is over 2 sd either side)
        assertTrue(arrivals >= 10 && arrivals <= 30, "arrivals " + arrivals);
        assertEquals(arrivals, openLoop().size());
        assertTrue(openLoop().stream().allMatch(r -> r.getOutcome().equals("OK")), openLoop().toString());
        assertTrue(openLoop().stream().allMatch(r -> r.getKind().equals("timing") && r.getConcurrency() >= 1));
    }

    @Test
    void shouldDropAndCountArrivalsPastTheCapWithoutWaitingWhenTheServerNeverAnswers() throws Exception {
        server.script(r -> FakeLlmServer.Reply.hanging());
        int arrivals = PoissonArrivals.offsetsNanos(ProbeAgent.arrivalSeed(5, "ep-open", 0), 20, 1_000_000_000L).length;
        ProbeMetrics metrics = new ProbeMetrics();
        try (LogCapture logs = new LogCapture();
             ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(config("3")), () -> List.of(endpoint()), results::add,
                     ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> null, metrics, id -> null)) {
            agent.runRound().get(30, TimeUnit.SECONDS);
            // Nothing ever completes within the 1 s window (timeout 1.5 s): the first 3 arrivals are
            // sent without waiting for one another, every later one finds 3 in flight and is dropped.
            assertEquals(arrivals - 3, agent.openLoopDropped());
            assertTrue(metrics.scrape().contains("arena_probe_openloop_dropped_total " + (arrivals - 3)), metrics.scrape());
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("timing-in100-r20: " + arrivals + " arrivals, 3 sent, "
                    + (arrivals - 3) + " dropped (arrival.max.in.flight=3)")), logs.lines().toString());
        }
        assertEquals(3, openLoop().size());
        assertTrue(openLoop().stream().allMatch(r -> r.getOutcome().equals("TIMEOUT")), openLoop().toString());
        assertEquals(List.of(1, 2, 3), openLoop().stream().map(ProbeResult::getConcurrency).sorted().toList(),
                "in flight when each was sent: they overlapped");
    }
}
