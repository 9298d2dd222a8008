package dev.tokenarena.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** One shared, thread-safe mapper and the small JSON pieces every renderer needs. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {
  }

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String write(Object node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a simulator response", e);
    }
  }

  static String sse(Object node) {
    return "data: " + write(node) + "\n\n";
  }

  static String sse(String event, Object node) {
    return "event: " + event + "\ndata: " + write(node) + "\n\n";
  }

  /** OpenAI's {@code usage} object. */
  static ObjectNode usage(Plan plan) {
    ObjectNode usage = object();
    usage.put("prompt_tokens", plan.answer().promptTokens());
    usage.put("completion_tokens", plan.completionTokens());
    usage.put("total_tokens", plan.totalTokens());
    int reasoning = plan.answer().reasoningTokens();
    if (reasoning > 0) {
      usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoning);
    }
    return usage;
  }

  /** An OpenAI-family chunk or body head: id, object, created, model. */
  static ObjectNode chunk(Plan plan, String object) {
    ObjectNode chunk = object();
    chunk.put("id", plan.requestId());
    chunk.put("object", object);
    chunk.put("created", plan.createdEpochSec());
    chunk.put("model", plan.request().model());
    return chunk;
  }

  /** The one choice (index 0) of a chunk or body. */
  static ObjectNode choice(ObjectNode chunk) {
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    return choice;
  }

  /**
   * The end of an OpenAI-family stream from its finish chunk on: usage on the finish chunk
   * (vLLM, llama.cpp) or in a last chunk with empty {@code choices} (OpenAI), llama.cpp's
   * timings, then {@code [DONE]}.
   */
  static String endOfStream(WireStyle style, Plan plan, ObjectNode finish, String object) {
    StringBuilder out = new StringBuilder();
    if (style != WireStyle.OPENAI && plan.request().includeUsage()) {
      finish.set("usage", usage(plan));
    }
    if (style == WireStyle.LLAMACPP) {
      finish.set("timings", timings(plan));
    }
    out.append(sse(finish));
    if (style == WireStyle.OPENAI && plan.request().includeUsage()) {
      ObjectNode usageChunk = chunk(plan, object);
      usageChunk.putArray("choices");
      usageChunk.set("usage", usage(plan));
      out.append(sse(usageChunk));
    }
    return out.append("data: [DONE]\n\n").toString();
  }

  /**
   * llama.cpp's server-side timings. {@code predicted_per_second} uses the same definition as the
   * probe's output speed, (n - 1) / (t_last - t_first), so the two can be compared directly.
   */
  static ObjectNode timings(Plan plan) {
    ObjectNode t = object();
    int n = plan.completionTokens();
    double decodeMs = plan.schedule().decodeMs();
    t.put("prompt_n", plan.answer().promptTokens());
    t.put("prompt_ms", plan.schedule().ttftMs());
    t.put("predicted_n", n);
    t.put("predicted_ms", decodeMs);
    t.put("predicted_per_second",
        n > 1 && decodeMs > 0 ? (n - 1) * 1000.0 / decodeMs : plan.spec().tokensPerSecond());
    return t;
  }

  /** OpenAI chat's per-token log-probability entry, alternatives cut to {@code top}. */
  static ObjectNode logprobEntry(Token token, int top) {
    ObjectNode entry = object();
    entry.put("token", token.text());
    entry.put("logprob", token.logprob());
    entry.set("bytes", bytes(token.text()));
    ArrayNode alternatives = entry.putArray("top_logprobs");
    token.alternatives().stream().limit(top).forEach(a -> {
      ObjectNode alt = alternatives.addObject();
      alt.put("token", a.token());
      alt.put("logprob", a.logprob());
      alt.set("bytes", bytes(a.token()));
    });
    return entry;
  }

  private static ArrayNode bytes(String text) {
    ArrayNode out = MAPPER.createArrayNode();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      out.add(b & 0xff);
    }
    return out;
  }
}
