package dev.tokenarena.simulator;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The demo fleet: nine endpoints of {@value #MODEL} that differ by known amounts. Two pairs make
 * the leaderboard interesting: {@code rocket} is fastest but (by its price, set elsewhere)
 * expensive, {@code slowcheap} is the opposite; {@code acme} and {@code budget} trade fidelity for
 * speed and price. Two exercise other paths of scoring: {@code opaque} returns no logprobs (its
 * fidelity can only be a two-sample test on completions) and {@code inhouse} is a deployment on
 * one's own GPUs (declared self-hosted in the demo catalogue, so it is also priced per GPU-hour).
 */
public final class DefaultFleet {

  /** The model family every endpoint of the fleet serves. */
  public static final String MODEL = "llama-3.3-70b";
  public static final String REFERENCE = "meta-llama70b-bf16-ref";
  public static final String FAITHFUL = "faithful-llama70b-bf16";
  public static final String ACME_FP8 = "acme-llama70b-fp8-turbo";
  public static final String BUDGET_INT4 = "budget-llama70b-int4";
  public static final String ROCKET = "rocket-llama70b-bf16-fast";
  public static final String SLOWCHEAP = "slowcheap-llama70b-bf16";
  public static final String THINK = "think-llama70b-bf16-reasoning";
  /** Answers like the reference but ignores requests for logprobs, as many hosted APIs do. */
  public static final String NO_LOGPROBS = "opaque-llama70b-bf16";
  /** The reference weights on GPUs of one's own (vLLM); the demo catalogue gives its GPU-hours. */
  public static final String SELF_HOSTED = "inhouse-llama70b-bf16-selfhost";

  /** The endpoint {@link #silentQuantization()} is meant for. */
  public static final String SILENT_QUANTIZATION_TARGET = FAITHFUL;

  private DefaultFleet() {
  }

  /** The nine endpoints, reference first. */
  public static List<SkuSpec> specs() {
    return List.of(
        sku(REFERENCE, WireStyle.OPENAI, 300, 60, 0.90, 0.0, 131_072).build(),
        sku(FAITHFUL, WireStyle.VLLM, 250, 80, 0.90, 0.0, 131_072).build(),
        sku(ACME_FP8, WireStyle.OPENAI, 150, 150, 0.85, 0.30, 65_536).build(),
        sku(BUDGET_INT4, WireStyle.LLAMACPP, 400, 70, 0.75, 0.70, 32_768).build(),
        sku(ROCKET, WireStyle.OPENAI, 80, 300, 0.90, 0.0, 131_072).build(),
        sku(SLOWCHEAP, WireStyle.VLLM, 900, 25, 0.90, 0.0, 16_384).build(),
        sku(THINK, WireStyle.OPENAI, 200, 90, 0.95, 0.0, 131_072).reasoningTokens(24).build(),
        sku(NO_LOGPROBS, WireStyle.OPENAI, 350, 50, 0.90, 0.0, 131_072).logprobs(false).build(),
        sku(SELF_HOSTED, WireStyle.VLLM, 220, 70, 0.90, 0.0, 131_072).build());
  }

  /** The default spec of one fleet endpoint. */
  public static SkuSpec original(String endpointId) {
    return specs().stream()
        .filter(s -> s.endpointId().equals(endpointId))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not a default fleet endpoint: " + endpointId));
  }

  /**
   * The undisclosed change applied to {@value #SILENT_QUANTIZATION_TARGET} mid-run: INT4-like weights
   * (systematic noise 0.70) and the accuracy that goes with them (0.75). Use with
   * {@code simulator.update(SILENT_QUANTIZATION_TARGET, silentQuantization())}.
   */
  public static UnaryOperator<SkuSpec> silentQuantization() {
    return s -> s.toBuilder().systematicNoise(0.70).accuracy(0.75).build();
  }

  /** Undoes {@link #silentQuantization()}: the endpoint's default weights and accuracy again. */
  public static UnaryOperator<SkuSpec> revertSilentQuantization() {
    return s -> {
      SkuSpec original = original(s.endpointId());
      return s.toBuilder()
          .systematicNoise(original.systematicNoise())
          .accuracy(original.accuracy())
          .build();
    };
  }

  private static SkuSpec.Builder sku(String id, WireStyle style, double ttftMs, double tps,
      double accuracy, double systematicNoise, int contextTokens) {
    return SkuSpec.builder(id, style)
        .ttftMs(ttftMs)
        .tokensPerSecond(tps)
        .accuracy(accuracy)
        .systematicNoise(systematicNoise)
        .runNoise(0.05)
        .effectiveContextTokens(contextTokens);
  }
}
