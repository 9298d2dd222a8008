package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PlannerTest {

  @Test
  void shouldAddNetworkDelayAndPrefillToTtftWhenJitterIsZero() {
    SkuSpec spec = SkuSpec.builder("p", WireStyle.OPENAI).ttftMs(200).tokensPerSecond(100)
        .prefillTokensPerSecond(50_000).jitterFraction(0).build();
    Plan.Schedule s = Planner.schedule(spec, 40, 1000, 4, new Random(1));
    // TTFT = 200 + 1000 tokens / 50,000 tok/s = 200 + 20 = 220 ms; headers at the 40 ms delay;
    // tokens at 40 + 220 = 260 ms, then every 1000 / 100 = 10 ms: 260, 270, 280, 290.
    assertEquals(220.0, s.ttftMs(), 1e-9);
    assertEquals(40_000_000L, s.headersNanos());
    assertArrayEquals(new long[] {260_000_000L, 270_000_000L, 280_000_000L, 290_000_000L},
        s.tokenNanos());
    assertEquals(30.0, s.decodeMs(), 1e-9);
  }

  @Test
  void shouldKeepTtftWithinJitterBandWhenJitterIsFivePercent() {
    SkuSpec spec = SkuSpec.builder("p", WireStyle.OPENAI).ttftMs(200).jitterFraction(0.05).build();
    Random rng = new Random(3);
    for (int i = 0; i < 1000; i++) {
      double ttft = Planner.schedule(spec, 0, 0, 1, rng).ttftMs();
      // 200 * (1 +- 0.05) = 190..210 ms.
      assertTrue(ttft >= 190 && ttft <= 210, "ttft " + ttft);
    }
  }

  @Test
  void shouldBreakHalfwayWhenBrokenStreamIsDrawn() {
    Planner planner = new Planner(Fixtures.RESPONDER);
    ApiRequest request = new ApiRequest(ApiRequest.Route.CHAT, "m", "hi", 10, true, true, 0, -1);
    Plan plan = planner.plan(Fixtures.quiet("b", WireStyle.OPENAI).build(), request, 0, 1, true, "id", 0);
    // max_tokens 10 < natural length (>= 24): 10 tokens, broken after 10 / 2 = 5.
    assertEquals(10, plan.completionTokens());
    assertEquals(5, plan.breakAfterTokens());
  }
}
