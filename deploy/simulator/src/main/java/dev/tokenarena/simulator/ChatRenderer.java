package dev.tokenarena.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@code /chat/completions} in the OpenAI, vLLM and llama.cpp dialects. They differ only where
 * clients trip: OpenAI opens with an empty {@code role} chunk and reports usage in an extra chunk
 * with {@code "choices":[]}; vLLM and llama.cpp put usage on the finish chunk, llama.cpp adds
 * {@code timings} there.
 */
final class ChatRenderer implements WireRenderer {

  private static final String OBJECT = "chat.completion.chunk";

  private final WireStyle style;

  ChatRenderer(WireStyle style) {
    this.style = style;
  }

  @Override
  public String open(Plan plan) {
    if (style != WireStyle.OPENAI) {
      return "";
    }
    ObjectNode chunk = chunk(plan);
    ObjectNode choice = choice(chunk);
    choice.putObject("delta").put("role", "assistant").put("content", "");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return Json.sse(chunk);
  }

  @Override
  public String token(Plan plan, int index) {
    Token token = plan.answer().tokens().get(index);
    ObjectNode chunk = chunk(plan);
    ObjectNode choice = choice(chunk);
    choice.putObject("delta").put(token.reasoning() ? "reasoning_content" : "content", token.text());
    if (plan.request().logprobs() && !token.reasoning()) {
      choice.putObject("logprobs").putArray("content")
          .add(Json.logprobEntry(token, plan.request().topLogprobs()));
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
    choice.putObject("delta");
    choice.putNull("logprobs");
    choice.put("finish_reason", plan.answer().finishReason());
    return Json.endOfStream(style, plan, finish, OBJECT);
  }

  @Override
  public String body(Plan plan) {
    ObjectNode body = Json.object();
    body.put("id", plan.requestId());
    body.put("object", "chat.completion");
    body.put("created", plan.createdEpochSec());
    body.put("model", plan.request().model());
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", plan.answer().text(false));
    if (plan.answer().reasoningTokens() > 0) {
      message.put("reasoning_content", plan.answer().text(true));
    }
    if (plan.request().logprobs()) {
      ArrayNode content = choice.putObject("logprobs").putArray("content");
      List<Token> tokens = plan.answer().tokens();
      tokens.stream().filter(t -> !t.reasoning())
          .forEach(t -> content.add(Json.logprobEntry(t, plan.request().topLogprobs())));
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

  private static ObjectNode chunk(Plan plan) {
    return Json.chunk(plan, OBJECT);
  }

  private static ObjectNode choice(ObjectNode chunk) {
    return Json.choice(chunk);
  }
}
