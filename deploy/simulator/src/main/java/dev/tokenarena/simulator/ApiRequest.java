package dev.tokenarena.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fields of a completion request the simulator honours, validated once.
 *
 * @param prompt      message contents (system first) joined by newlines, or the legacy prompt
 * @param maxTokens   {@code max_tokens} or {@code max_completion_tokens}; unbounded when absent
 * @param temperature 1.0 when absent, as on OpenAI and Anthropic
 * @param topLogprobs -1 when log-probabilities were not requested
 */
record ApiRequest(Route route, String model, String prompt, int maxTokens, boolean stream,
    boolean includeUsage, double temperature, int topLogprobs) {

  static final int MAX_TOP_LOGPROBS = 20;

  enum Route { CHAT, COMPLETIONS, MESSAGES }

  /** A request the simulator rejects with 400; the message says which field and why. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  boolean logprobs() {
    return topLogprobs >= 0;
  }

  /** The same request as an endpoint without log-probabilities serves it: the ask is ignored, not refused. */
  ApiRequest withoutLogprobs() {
    return new ApiRequest(route, model, prompt, maxTokens, stream, includeUsage, temperature, -1);
  }

  static ApiRequest parse(Route route, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new BadRequest("request body must be a JSON object");
    }
    String prompt = switch (route) {
      case CHAT -> joinMessages(null, body.get("messages"));
      case MESSAGES -> joinMessages(body.get("system"), body.get("messages"));
      case COMPLETIONS -> legacyPrompt(body.get("prompt"));
    };
    int maxTokens = Integer.MAX_VALUE;
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode n = body.get(field);
      if (n != null && !n.isNull()) {
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
          throw new BadRequest(field + " must be an integer >= 1, got " + n);
        }
        maxTokens = Math.min(maxTokens, n.asInt());
      }
    }
    double temperature = 1.0;
    JsonNode t = body.get("temperature");
    if (t != null && !t.isNull()) {
      if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
        throw new BadRequest("temperature must be a number in [0, 2], got " + t);
      }
      temperature = t.asDouble();
    }
    int topLogprobs = route == Route.MESSAGES ? -1 : topLogprobs(route, body);
    boolean stream = body.path("stream").asBoolean(false);
    // Anthropic always reports usage; OpenAI-style servers only when asked.
    boolean includeUsage = route == Route.MESSAGES
        || body.path("stream_options").path("include_usage").asBoolean(false);
    String model = body.path("model").asText(DefaultFleet.MODEL);
    return new ApiRequest(route, model.isBlank() ? DefaultFleet.MODEL : model, prompt, maxTokens,
        stream, includeUsage, temperature, topLogprobs);
  }

  private static int topLogprobs(Route route, JsonNode body) {
    JsonNode lp = body.get("logprobs");
    JsonNode top = body.get("top_logprobs");
    int requested;
    if (lp == null || lp.isNull() || (lp.isBoolean() && !lp.asBoolean())) {
      return -1;
    } else if (lp.isBoolean()) {
      requested = top == null || top.isNull() ? 0 : checkedTop("top_logprobs", top);
    } else if (route == Route.COMPLETIONS && lp.isIntegralNumber()) {
      // Legacy completions: logprobs is itself the number of alternatives.
      requested = checkedTop("logprobs", lp);
    } else {
      throw new BadRequest("logprobs must be a boolean, got " + lp);
    }
    return requested;
  }

  private static int checkedTop(String field, JsonNode n) {
    if (!n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > MAX_TOP_LOGPROBS) {
      throw new BadRequest(field + " must be an integer in [0, " + MAX_TOP_LOGPROBS + "], got " + n);
    }
    return n.asInt();
  }

  private static String joinMessages(JsonNode system, JsonNode messages) {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new BadRequest("messages must be a non-empty array");
    }
    StringBuilder sb = new StringBuilder();
    if (system != null && !system.isNull()) {
      appendContent(sb, system);
    }
    for (JsonNode message : messages) {
      if (!message.isObject()) {
        throw new BadRequest("every message must be an object");
      }
      appendContent(sb, message.get("content"));
    }
    return sb.toString();
  }

  private static void appendContent(StringBuilder sb, JsonNode content) {
    if (content == null || content.isNull()) {
      return;
    }
    if (content.isTextual()) {
      append(sb, content.asText());
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.has("text")) {
          append(sb, part.get("text").asText());
        }
      }
    } else {
      throw new BadRequest("message content must be a string or an array of parts");
    }
  }

  private static void append(StringBuilder sb, String text) {
    if (sb.length() > 0) {
      sb.append('\n');
    }
    sb.append(text);
  }

  private static String legacyPrompt(JsonNode prompt) {
    if (prompt != null && prompt.isTextual()) {
      return prompt.asText();
    }
    if (prompt != null && prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isTextual()) {
      StringBuilder sb = new StringBuilder();
      prompt.forEach(p -> append(sb, p.asText()));
      return sb.toString();
    }
    throw new BadRequest("prompt must be a string or an array of strings");
  }
}
