package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The schedule, worked by hand. Round every 300,000 ms = 288 rounds a day. Steps (max.tokens
 * 100, context 200,000 so nothing is capped): needle-1000 once a day (needle.every.rounds 288),
 * timing in1k-c1 every round = 1,100 tokens each; expensive: in1k-c100 = 100 x 1,100 = 110,000,
 * in100k-c1 = 100,100, in100k-c100 = 10,010,000; together 10,220,100 tokens a run.
 * Every-round cost: 1,100 x 288 + 1,100 = 317,900 tokens a day.
 */
class CostGuardTest {

    private static Map<String, String> config(String tokens, String usd) {
        Map<String, String> c = ProbeAgentTest.baseConfig();
        c.putAll(Map.of("round.interval.ms", "300000", "max.tokens", "100", "input.tokens", "1000,100000",
                "concurrency", "1,100", "canary.count", "0", "needle.lengths", "1000", "needle.every.rounds", "288",
                "budget.daily.tokens", tokens, "budget.daily.usd", usd));
        return c;
    }

    private static Endpoint endpoint() {
        return Endpoint.newBuilder(StreamingHttpClientTest.endpoint("http://127.0.0.1:1/v1", "openai-chat"))
                .setContextTokens(200_000).build();
    }

    /** $1 per 1M input tokens, $2 per 1M output tokens. */
    private static PriceQuote price() {
        return PriceQuote.newBuilder().setEndpointId("ep-1").setInputUsdPerMtok(1.0).setOutputUsdPerMtok(2.0)
                .setBatchDiscount(0).setCurrency("USD").setSource("test").setEffectiveFromMs(0).build();
    }

    private static CostGuard.Plan plan(String tokens, String usd) {
        try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(config(tokens, usd)), List::of, r -> { },
                ProbeAgentTest.FIXED, Ticker.SYSTEM, n -> null, new ProbeMetrics(), id -> price())) {
            return agent.schedule(endpoint());
        }
    }

    @Test
    void shouldRunExpensiveStepsEvery150RoundsWhenTokenBudgetIs20Million() {
        // 20,000,000 - 317,900 = 19,682,100 left; 10,220,100 x 288 / 19,682,100 = 149.55 -> every 150 rounds.
        CostGuard.Plan plan = plan("20000000", "0");
        assertEquals(150, plan.expensiveEveryRounds());
        assertEquals(317_900, plan.basePerDay().tokens());
        assertEquals(10_220_100, plan.expensivePerRun().tokens());
        // 317,900 + 10,220,100 x 288 / 150 = 317,900 + 19,622,592 = 19,940,492 <= 20,000,000.
        assertEquals(19_940_492, plan.dailyEstimate().tokens());
        assertTrue(plan.runsExpensive(0) && plan.runsExpensive(150));
        assertFalse(plan.runsExpensive(1) || plan.runsExpensive(149));
    }

    @Test
    void shouldLetTheDollarLimitBindWhenItIsTighterThanTheTokenLimit() {
        // Every-round steps: in1k-c1 = 1,000 x $1/M + 100 x $2/M = $0.0012, x 288 + the needle's $0.0012 = $0.3468.
        // A run of the expensive steps: $0.12 + $0.1002 + $10.02 = $10.2402.
        // $5: 10.2402 x 288 / (5 - 0.3468) = 633.8 -> every 634 rounds (the token limit alone would allow 150).
        CostGuard.Plan plan = plan("20000000", "5");
        assertEquals(634, plan.expensiveEveryRounds());
        assertEquals(10.2402, plan.expensivePerRun().usd(), 1e-9);
        assertEquals(0.3468, plan.basePerDay().usd(), 1e-9);
        assertTrue(plan.dailyEstimate().usd() <= 5.0, "estimate " + plan.dailyEstimate().usd());
        assertTrue(plan.describe().contains("every 634 rounds"), plan.describe());
    }

    @Test
    void shouldNeverRunExpensiveStepsWhenEveryRoundStepsAloneExceedTheBudget() {
        // 317,900 tokens a day of every-round steps against a 300,000 budget.
        CostGuard.Plan plan = plan("300000", "0");
        assertEquals(0, plan.expensiveEveryRounds());
        assertFalse(plan.runsExpensive(0));
        assertTrue(plan.describe().contains("never"), plan.describe());
    }

    @Test
    void shouldRunEverythingEveryRoundWhenNoBudgetIsSet() {
        assertEquals(1, plan("0", "0").expensiveEveryRounds());
    }

    @Test
    void shouldRefuseAStepWhenTodaysUseAndItsEstimateWouldPassTheLimit() {
        CostGuard guard = new CostGuard(10_000, 0, 300_000, 100_000, 100, 12, 100);
        long day1 = 86_400_000L * 20_000;
        guard.record("ep", 8_000, 0, day1 + 5);
        // 8,000 used + 1,100 = 9,100 <= 10,000 fits; 8,000 + 2,200 = 10,200 does not.
        assertTrue(guard.allows("ep", new CostGuard.Cost(1_100, 0), day1 + 10));
        assertFalse(guard.allows("ep", new CostGuard.Cost(2_200, 0), day1 + 10));
        // A new UTC day starts from zero.
        assertTrue(guard.allows("ep", new CostGuard.Cost(9_999, 0), day1 + 86_400_000L));
    }

    @Test
    void shouldSkipExpensiveStepsInRoundsOffTheScheduleWhenBudgetIsSet() throws Exception {
        // 288 rounds a day, max.tokens 16; concurrency 2 counts as expensive here.
        // Every round: in100-c1 = 116 tokens x 288 = 33,408; needle-150 = 166 x 288/1000 runs = 48 -> 33,456.
        // Expensive: in100-c2 = 2 x 116 = 232 a run; (40,000 - 33,456) = 6,544 left; 232 x 288 / 6,544 = 10.2 -> every 11.
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.putAll(Map.of("round.interval.ms", "300000", "input.tokens", "100", "concurrency", "1,2",
                "canary.count", "0", "needle.lengths", "150", "needle.every.rounds", "1000",
                "cost.expensive.concurrency", "2", "budget.daily.tokens", "40000"));
        List<String> scenarios = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FakeLlmServer llm = new FakeLlmServer()) {
            llm.script(ProbeAgentTest::answer);
            Endpoint ep = StreamingHttpClientTest.endpoint(llm.baseUrl(), "openai-chat");
            try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(ep),
                    r -> scenarios.add(r.getRound() + ":" + r.getScenario()), ProbeAgentTest.FIXED, Ticker.SYSTEM,
                    n -> null, new ProbeMetrics(), id -> null)) {
                assertEquals(11, agent.schedule(ep).expensiveEveryRounds());
                assertEquals(4, agent.runRound().get(30, java.util.concurrent.TimeUnit.SECONDS).results());
                assertEquals(1, agent.runRound().get(30, java.util.concurrent.TimeUnit.SECONDS).results());
            }
        }
        // Round 0: needle, c1 and the expensive c2 (2 slots); round 1: only c1.
        assertEquals(List.of("0:needle-150", "0:timing-in100-c1", "0:timing-in100-c2", "0:timing-in100-c2",
                "1:timing-in100-c1"), scenarios.stream().sorted().toList());
    }
}
