package dev.tokenarena.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Legacy {@code /completions}: {@code choices[0].text} chunks and the legacy log-probability
 * shape ({@code tokens}, {@code token_logprobs}, {@code top_logprobs} as maps, {@code text_offset}).
 * Usage and timings follow the same dialect rules as {@link ChatRenderer}; no role chunk.
 */
final class CompletionsRenderer implements WireRenderer {

  private final WireStyle style;

  CompletionsRenderer(WireStyle style) {
    this.style = style;
  }

  @Override
  public String open(Plan plan) {
    return "";
  }

  @Override
  public String token(Plan plan, int index) {
    Token token = plan.answer().tokens().get(index);
    ObjectNode chunk = chunk(plan);
    ObjectNode choice = choice(chunk);
    choice.put("text", token.text());
    if (plan.request().logprobs()) {
      int offset = 0;
      for (int i = 0; i < index; i++) {
        offset += plan.answer().tokens().get(i).text().length();
      }
      choice.set("logprobs", legacyLogprobs(List.of(token), offset, plan.request().topLogprobs()));
    } else {
      choice.putNull("logprobs");
    }
    choice.putNull("finish_reason");
    return Json.sse(chunk);
  }

  @Override
  public String close(Plan plan) {
    StringBuilder out = new StringBuilder();
    ObjectNode finish = chunk(plan);
    ObjectNode choice = choice(finish);
    choice.put("text", "");
    choice.putNull("logprobs");
    choice.put("finish_reason", plan.answer().finishReason());
    if (style != WireStyle.OPENAI && plan.request().includeUsage()) {
      finish.set("usage", Json.usage(plan));
    }
    if (style == WireStyle.LLAMACPP) {
      finish.set("timings", Json.timings(plan));
    }
    out.append(Json.sse(finish));
    if (style == WireStyle.OPENAI && plan.request().includeUsage()) {
      ObjectNode usage = chunk(plan);
      usage.putArray("choices");
      usage.set("usage", Json.usage(plan));
      out.append(Json.sse(usage));
    }
    return out.append("data: [DONE]\n\n").toString();
  }

  @Override
  public String body(Plan plan) {
    ObjectNode body = chunk(plan);
    ObjectNode choice = choice(body);
    choice.put("text", plan.answer().text(false));
    if (plan.request().logprobs()) {
      choice.set("logprobs", legacyLogprobs(plan.answer().tokens(), 0, plan.request().topLogprobs()));
    } else {
      choice.putNull("logprobs");
    }
    choice.put("finish_reason", plan.answer().finishReason());
    body.set("usage", Json.usage(plan));
    if (style == WireStyle.LLAMACPP) {
      body.set("timings", Json.timings(plan));
    }
    return Json.write(body);
  }

  private static ObjectNode legacyLogprobs(List<Token> tokens, int startOffset, int top) {
    ObjectNode lp = Json.object();
    ArrayNode texts = lp.putArray("tokens");
    ArrayNode values = lp.putArray("token_logprobs");
    ArrayNode tops = lp.putArray("top_logprobs");
    ArrayNode offsets = lp.putArray("text_offset");
    int offset = startOffset;
    for (Token t : tokens) {
      texts.add(t.text());
      values.add(t.logprob());
      ObjectNode alternatives = tops.addObject();
      t.alternatives().stream().limit(top).forEach(a -> alternatives.put(a.token(), a.logprob()));
      offsets.add(offset);
      offset += t.text().length();
    }
    return lp;
  }

  private static ObjectNode chunk(Plan plan) {
    ObjectNode chunk = Json.object();
    chunk.put("id", plan.requestId());
    chunk.put("object", "text_completion");
    chunk.put("created", plan.createdEpochSec());
    chunk.put("model", plan.request().model());
    return chunk;
  }

  private static ObjectNode choice(ObjectNode chunk) {
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    return choice;
  }
}
