package dev.tokenarena.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Anthropic Messages events: {@code message_start} with the headers, then per content block
 * {@code content_block_start}, {@code content_block_delta}s, {@code content_block_stop} — a
 * {@code thinking} block (with a closing {@code signature_delta}) before the {@code text} block
 * when the endpoint reasons — then {@code message_delta} (stop reason, output tokens) and
 * {@code message_stop}.
 */
final class AnthropicRenderer implements WireRenderer {

  static final AnthropicRenderer INSTANCE = new AnthropicRenderer();

  private AnthropicRenderer() {
  }

  @Override
  public String open(Plan plan) {
    ObjectNode event = Json.object();
    event.put("type", "message_start");
    ObjectNode message = message(plan);
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    ObjectNode usage = message.putObject("usage");
    usage.put("input_tokens", plan.answer().promptTokens());
    usage.put("output_tokens", 1);
    event.set("message", message);
    return Json.sse("message_start", event);
  }

  @Override
  public String token(Plan plan, int index) {
    List<Token> tokens = plan.answer().tokens();
    Token token = tokens.get(index);
    StringBuilder out = new StringBuilder();
    int block = blockIndex(plan, index);
    if (index == 0 || tokens.get(index - 1).reasoning() != token.reasoning()) {
      if (index > 0) {
        out.append(stopBlock(plan, block - 1, tokens.get(index - 1).reasoning()));
      }
      ObjectNode start = Json.object();
      start.put("type", "content_block_start");
      start.put("index", block);
      ObjectNode contentBlock = start.putObject("content_block");
      if (token.reasoning()) {
        contentBlock.put("type", "thinking").put("thinking", "");
      } else {
        contentBlock.put("type", "text").put("text", "");
      }
      out.append(Json.sse("content_block_start", start));
    }
    ObjectNode delta = Json.object();
    delta.put("type", "content_block_delta");
    delta.put("index", block);
    if (token.reasoning()) {
      delta.putObject("delta").put("type", "thinking_delta").put("thinking", token.text());
    } else {
      delta.putObject("delta").put("type", "text_delta").put("text", token.text());
    }
    return out.append(Json.sse("content_block_delta", delta)).toString();
  }

  @Override
  public String close(Plan plan) {
    List<Token> tokens = plan.answer().tokens();
    StringBuilder out = new StringBuilder();
    if (!tokens.isEmpty()) {
      int last = tokens.size() - 1;
      out.append(stopBlock(plan, blockIndex(plan, last), tokens.get(last).reasoning()));
    }
    ObjectNode delta = Json.object();
    delta.put("type", "message_delta");
    delta.putObject("delta").put("stop_reason", stopReason(plan)).putNull("stop_sequence");
    delta.putObject("usage").put("output_tokens", plan.completionTokens());
    out.append(Json.sse("message_delta", delta));
    ObjectNode stop = Json.object();
    stop.put("type", "message_stop");
    return out.append(Json.sse("message_stop", stop)).toString();
  }

  @Override
  public String body(Plan plan) {
    ObjectNode message = message(plan);
    ArrayNode content = message.putArray("content");
    if (plan.answer().reasoningTokens() > 0) {
      content.addObject().put("type", "thinking").put("thinking", plan.answer().text(true))
          .put("signature", signature(plan));
    }
    if (plan.answer().tokens().stream().anyMatch(t -> !t.reasoning())) {
      content.addObject().put("type", "text").put("text", plan.answer().text(false));
    }
    message.put("stop_reason", stopReason(plan));
    message.putNull("stop_sequence");
    ObjectNode usage = message.putObject("usage");
    usage.put("input_tokens", plan.answer().promptTokens());
    usage.put("output_tokens", plan.completionTokens());
    return Json.write(message);
  }

  private static ObjectNode message(Plan plan) {
    ObjectNode message = Json.object();
    message.put("id", plan.requestId());
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", plan.request().model());
    return message;
  }

  /** Reasoning comes first, so the text block is block 1 exactly when there was reasoning. */
  private static int blockIndex(Plan plan, int tokenIndex) {
    boolean reasoned = plan.answer().reasoningTokens() > 0;
    return reasoned && !plan.answer().tokens().get(tokenIndex).reasoning() ? 1 : 0;
  }

  private static String stopBlock(Plan plan, int block, boolean thinking) {
    StringBuilder out = new StringBuilder();
    if (thinking) {
      ObjectNode sig = Json.object();
      sig.put("type", "content_block_delta");
      sig.put("index", block);
      sig.putObject("delta").put("type", "signature_delta").put("signature", signature(plan));
      out.append(Json.sse("content_block_delta", sig));
    }
    ObjectNode stop = Json.object();
    stop.put("type", "content_block_stop");
    stop.put("index", block);
    return out.append(Json.sse("content_block_stop", stop)).toString();
  }

  private static String stopReason(Plan plan) {
    return "length".equals(plan.answer().finishReason()) ? "max_tokens" : "end_turn";
  }

  private static String signature(Plan plan) {
    return Long.toHexString(Hashing.of(plan.answer().text(true)));
  }
}
