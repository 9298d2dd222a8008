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

  private static final String OBJECT = "text_completion";

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
    ObjectNode finish = chunk(plan);
    ObjectNode choice = choice(finish);
    choice.put("text", "");
    choice.putNull("logprobs");
    choice.put("finish_reason", plan.answer().finishReason());
    return Json.endOfStream(style, plan, finish, OBJECT);
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
    return Json.chunk(plan, OBJECT);
  }

  private static ObjectNode choice(ObjectNode chunk) {
    return Json.choice(chunk);
  }
}
