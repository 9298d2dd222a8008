package dev.tokenarena.simulator;

/**
 * The known truth of one simulated endpoint. Everything TokenArena measures about the endpoint
 * follows from these numbers (see the README of this module for the model).
 *
 * @param endpointId             path segment and stable id, e.g. {@code meta-llama70b-bf16-ref}
 * @param style                  wire format of the OpenAI-shaped routes
 * @param ttftMs                 scheduled time to first token, before prefill and jitter, in ms
 * @param tokensPerSecond        decode rate; tokens are {@code 1000 / tokensPerSecond} ms apart
 * @param prefillTokensPerSecond adds {@code inputTokens * 1000 / prefillTokensPerSecond} ms to TTFT
 * @param jitterFraction         uniform relative jitter applied to TTFT and to every token gap
 * @param accuracy               fraction of GSM8K sample items answered correctly
 * @param systematicNoise        std-dev of a fixed logit perturbation (quantization); 0 = reference weights
 * @param runNoise               std-dev of fresh per-request logit noise (GPU nondeterminism)
 * @param reasoningTokens        reasoning tokens emitted before visible content; 0 = none
 * @param effectiveContextTokens needle retrieval works up to this many input tokens
 * @param errorRate              fraction of requests answered 500 with an HTML page
 * @param rateLimitRate          fraction of requests answered 429 with {@code retry-after: 1}
 * @param brokenStreamRate       fraction of successful requests whose connection is closed mid-answer
 * @param logprobs               whether the endpoint returns log-probabilities; false = it ignores
 *                               {@code logprobs}/{@code top_logprobs} and answers {@code "logprobs": null},
 *                               as hosted APIs without them do
 * @param apiKey                 when not null, requests must carry {@code Authorization: Bearer <key>}
 *                               (or {@code x-api-key}); never printed by {@link #toString()}
 */
public record SkuSpec(
    String endpointId,
    WireStyle style,
    double ttftMs,
    double tokensPerSecond,
    double prefillTokensPerSecond,
    double jitterFraction,
    double accuracy,
    double systematicNoise,
    double runNoise,
    int reasoningTokens,
    int effectiveContextTokens,
    double errorRate,
    double rateLimitRate,
    double brokenStreamRate,
    boolean logprobs,
    String apiKey) {

  public static final double DEFAULT_PREFILL_TOKENS_PER_SECOND = 50_000;
  public static final double DEFAULT_JITTER_FRACTION = 0.05;
  public static final int DEFAULT_EFFECTIVE_CONTEXT_TOKENS = 131_072;

  public SkuSpec {
    if (endpointId == null || !endpointId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "endpointId must be a non-empty path segment of [A-Za-z0-9._-], got '" + endpointId + "'");
    }
    if (style == null) {
      throw new IllegalArgumentException("style must be set for " + endpointId);
    }
    requireAtLeast(endpointId, "ttftMs", ttftMs, 0);
    requirePositive(endpointId, "tokensPerSecond", tokensPerSecond);
    requirePositive(endpointId, "prefillTokensPerSecond", prefillTokensPerSecond);
    requireFraction(endpointId, "jitterFraction", jitterFraction);
    requireFraction(endpointId, "accuracy", accuracy);
    requireAtLeast(endpointId, "systematicNoise", systematicNoise, 0);
    requireAtLeast(endpointId, "runNoise", runNoise, 0);
    if (reasoningTokens < 0) {
      throw new IllegalArgumentException("reasoningTokens must be >= 0 for " + endpointId);
    }
    if (effectiveContextTokens < 1) {
      throw new IllegalArgumentException("effectiveContextTokens must be >= 1 for " + endpointId);
    }
    requireFraction(endpointId, "errorRate", errorRate);
    requireFraction(endpointId, "rateLimitRate", rateLimitRate);
    requireFraction(endpointId, "brokenStreamRate", brokenStreamRate);
    if (errorRate + rateLimitRate > 1.0 + 1e-9) {
      throw new IllegalArgumentException("errorRate + rateLimitRate must be <= 1 for " + endpointId
          + ", got " + errorRate + " + " + rateLimitRate);
    }
  }

  /** A spec with the defaults of this class: reference weights, no reasoning, no errors. */
  public static Builder builder(String endpointId, WireStyle style) {
    return new Builder(endpointId, style);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Milliseconds between two decoded tokens, before jitter. */
  public double tokenGapMs() {
    return 1000.0 / tokensPerSecond;
  }

  @Override
  public String toString() {
    // The key is a secret (STYLE 12): a spec dumped into a log must not leak it.
    return "SkuSpec[endpointId=" + endpointId + ", style=" + style + ", ttftMs=" + ttftMs
        + ", tokensPerSecond=" + tokensPerSecond + ", prefillTokensPerSecond=" + prefillTokensPerSecond
        + ", jitterFraction=" + jitterFraction + ", accuracy=" + accuracy
        + ", systematicNoise=" + systematicNoise + ", runNoise=" + runNoise
        + ", reasoningTokens=" + reasoningTokens + ", effectiveContextTokens=" + effectiveContextTokens
        + ", errorRate=" + errorRate + ", rateLimitRate=" + rateLimitRate
        + ", brokenStreamRate=" + brokenStreamRate + ", logprobs=" + logprobs + ", apiKey=" + (apiKey == null ? "none" : "****")
        + "]";
  }

  private static void requirePositive(String id, String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and > 0 for " + id + ", got " + value);
    }
  }

  private static void requireAtLeast(String id, String name, double value, double min) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          name + " must be finite and >= " + min + " for " + id + ", got " + value);
    }
  }

  private static void requireFraction(String id, String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1] for " + id + ", got " + value);
    }
  }

  /** Mutable builder so that callers change one field of a 16-field record readably. */
  public static final class Builder {
    private String endpointId;
    private WireStyle style;
    private double ttftMs = 300;
    private double tokensPerSecond = 60;
    private double prefillTokensPerSecond = DEFAULT_PREFILL_TOKENS_PER_SECOND;
    private double jitterFraction = DEFAULT_JITTER_FRACTION;
    private double accuracy = 0.9;
    private double systematicNoise;
    private double runNoise = 0.05;
    private int reasoningTokens;
    private int effectiveContextTokens = DEFAULT_EFFECTIVE_CONTEXT_TOKENS;
    private double errorRate;
    private double rateLimitRate;
    private double brokenStreamRate;
    private boolean logprobs = true;
    private String apiKey;

    private Builder(String endpointId, WireStyle style) {
      this.endpointId = endpointId;
      this.style = style;
    }

    private Builder(SkuSpec s) {
      endpointId = s.endpointId;
      style = s.style;
      ttftMs = s.ttftMs;
      tokensPerSecond = s.tokensPerSecond;
      prefillTokensPerSecond = s.prefillTokensPerSecond;
      jitterFraction = s.jitterFraction;
      accuracy = s.accuracy;
      systematicNoise = s.systematicNoise;
      runNoise = s.runNoise;
      reasoningTokens = s.reasoningTokens;
      effectiveContextTokens = s.effectiveContextTokens;
      errorRate = s.errorRate;
      rateLimitRate = s.rateLimitRate;
      brokenStreamRate = s.brokenStreamRate;
      logprobs = s.logprobs;
      apiKey = s.apiKey;
    }

    public Builder endpointId(String v) { endpointId = v; return this; }
    public Builder style(WireStyle v) { style = v; return this; }
    public Builder ttftMs(double v) { ttftMs = v; return this; }
    public Builder tokensPerSecond(double v) { tokensPerSecond = v; return this; }
    public Builder prefillTokensPerSecond(double v) { prefillTokensPerSecond = v; return this; }
    public Builder jitterFraction(double v) { jitterFraction = v; return this; }
    public Builder accuracy(double v) { accuracy = v; return this; }
    public Builder systematicNoise(double v) { systematicNoise = v; return this; }
    public Builder runNoise(double v) { runNoise = v; return this; }
    public Builder reasoningTokens(int v) { reasoningTokens = v; return this; }
    public Builder effectiveContextTokens(int v) { effectiveContextTokens = v; return this; }
    public Builder errorRate(double v) { errorRate = v; return this; }
    public Builder rateLimitRate(double v) { rateLimitRate = v; return this; }
    public Builder brokenStreamRate(double v) { brokenStreamRate = v; return this; }
    public Builder logprobs(boolean v) { logprobs = v; return this; }
    public Builder apiKey(String v) { apiKey = v; return this; }

    public SkuSpec build() {
      return new SkuSpec(endpointId, style, ttftMs, tokensPerSecond, prefillTokensPerSecond,
          jitterFraction, accuracy, systematicNoise, runNoise, reasoningTokens,
          effectiveContextTokens, errorRate, rateLimitRate, brokenStreamRate, logprobs, apiKey);
    }
  }
}
