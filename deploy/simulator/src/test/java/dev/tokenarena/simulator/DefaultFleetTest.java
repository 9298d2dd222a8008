package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultFleetTest {

  @Test
  void shouldListNineEndpointsWithReferenceFirstWhenAskedForSpecs() {
    List<SkuSpec> specs = DefaultFleet.specs();
    assertEquals(9, specs.size());
    assertEquals(9, specs.stream().map(SkuSpec::endpointId).distinct().count());
    SkuSpec ref = specs.get(0);
    assertEquals(DefaultFleet.REFERENCE, ref.endpointId());
    assertEquals(0.0, ref.systematicNoise());
    assertEquals(0.05, ref.runNoise());
    SkuSpec budget = DefaultFleet.original(DefaultFleet.BUDGET_INT4);
    assertEquals(WireStyle.LLAMACPP, budget.style());
    assertEquals(32_768, budget.effectiveContextTokens());
    assertEquals(24, DefaultFleet.original(DefaultFleet.THINK).reasoningTokens());
    // 1000 / 25 tok/s = 40 ms between tokens for the slow endpoint.
    assertEquals(40.0, DefaultFleet.original(DefaultFleet.SLOWCHEAP).tokenGapMs(), 1e-12);
    // exactly one endpoint without logprobs, and it is not the reference its fidelity is tested against
    assertEquals(List.of(DefaultFleet.NO_LOGPROBS),
        specs.stream().filter(s -> !s.logprobs()).map(SkuSpec::endpointId).toList());
    assertTrue(DefaultFleet.original(DefaultFleet.SELF_HOSTED).logprobs());
  }

  @Test
  void shouldRestoreOriginalWhenSilentQuantizationIsReverted() {
    SkuSpec faithful = DefaultFleet.original(DefaultFleet.SILENT_QUANTIZATION_TARGET);
    SkuSpec quantized = DefaultFleet.silentQuantization().apply(faithful);
    assertEquals(0.70, quantized.systematicNoise());
    assertEquals(0.75, quantized.accuracy());
    assertEquals(faithful.ttftMs(), quantized.ttftMs());
    assertEquals(faithful, DefaultFleet.revertSilentQuantization().apply(quantized));
  }

  @Test
  void shouldRejectSpecNamingTheFieldWhenRateIsOutOfRange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SkuSpec.builder("x", WireStyle.OPENAI).errorRate(1.5).build());
    assertTrue(e.getMessage().contains("errorRate"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> SkuSpec.builder("x", WireStyle.OPENAI).errorRate(0.6).rateLimitRate(0.6).build());
    assertThrows(IllegalArgumentException.class,
        () -> SkuSpec.builder("a/b", WireStyle.OPENAI).build());
  }

  @Test
  void shouldMaskApiKeyWhenSpecIsPrinted() {
    SkuSpec spec = SkuSpec.builder("x", WireStyle.OPENAI).apiKey("sk-canary-0451").build();
    assertFalse(spec.toString().contains("sk-canary-0451"), spec.toString());
    assertTrue(spec.toString().contains("apiKey=****"));
  }

  @Test
  void shouldGiveOnePortPerRegionWhenParsingMainArguments() {
    List<RegionListener> regions = SimulatorMain.parse(
        new String[] {"--port-base", "18080", "--regions", "us-east:10,eu-central:40,ap-southeast:90"});
    assertEquals(List.of(new RegionListener("us-east", 18080, 10), new RegionListener("eu-central", 18081, 40),
        new RegionListener("ap-southeast", 18082, 90)), regions);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SimulatorMain.parse(new String[] {"--regions", "us-east"}));
    assertTrue(e.getMessage().contains("name:delayMs"), e.getMessage());
  }
}
