package dev.tokenarena.simulator;

/**
 * The serving stack a simulated endpoint imitates on {@code /chat/completions} and
 * {@code /completions}. {@code /messages} always answers Anthropic events whatever the style.
 */
public enum WireStyle {
  /** OpenAI: a first {@code role} chunk, usage in a separate last chunk with empty {@code choices}. */
  OPENAI,
  /** vLLM: no role chunk, usage on the finish chunk. */
  VLLM,
  /** llama.cpp server: like vLLM plus {@code timings} on the finish chunk. */
  LLAMACPP,
  /** Anthropic Messages events, also on the OpenAI-shaped routes. */
  ANTHROPIC
}
