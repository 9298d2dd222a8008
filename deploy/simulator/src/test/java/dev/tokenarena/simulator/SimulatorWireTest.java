package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real sockets, JDK client: the shape of every wire style, checked chunk by chunk. */
class SimulatorWireTest {

  private static final String PROMPT = "Describe a quiet morning by the river.";
  private static Simulator sim;

  @BeforeAll
  static void start() {
    sim = Simulator.start(List.of(
        Fixtures.quiet("oai", WireStyle.OPENAI).build(),
        Fixtures.quiet("vllm", WireStyle.VLLM).build(),
        Fixtures.quiet("llama", WireStyle.LLAMACPP).build(),
        Fixtures.quiet("anth", WireStyle.ANTHROPIC).build(),
        Fixtures.quiet("think", WireStyle.OPENAI).reasoningTokens(5).build(),
        Fixtures.quiet("nolp", WireStyle.OPENAI).logprobs(false).build()),
        List.of(new RegionListener("near", 0, 0)));
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static Map<String, Object> chat(String prompt, boolean stream, int maxTokens) {
    Map<String, Object> body = new HashMap<>();
    body.put("model", DefaultFleet.MODEL);
    body.put("messages", List.of(Map.of("role", "system", "content", "Be brief."),
        Map.of("role", "user", "content", prompt)));
    body.put("max_tokens", maxTokens);
    body.put("stream", stream);
    body.put("temperature", 0);
    if (stream) {
      body.put("stream_options", Map.of("include_usage", true));
    }
    return body;
  }

  /** The body asking for the {@code top} most likely alternatives of every token, OpenAI style. */
  static Map<String, Object> withLogprobs(Map<String, Object> body, int top) {
    body.put("logprobs", true);
    body.put("top_logprobs", top);
    return body;
  }

  private String url(String endpoint, String route) {
    return sim.baseUrl("near", endpoint) + route;
  }

  /** What the client counts locally: o200k over "Be brief.\n" + prompt, as the server joins them. */
  private static int promptTokens(String prompt) {
    return Fixtures.O200K.countTokensOrdinary("Be brief.\n" + prompt);
  }

  @Test
  void shouldStreamRoleChunkThenTokensThenUsageChunkWhenStyleIsOpenAi() throws Exception {
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url("oai", "/chat/completions"), chat(PROMPT, true, 1000)).build());
    assertEquals(200, s.status());
    assertTrue(s.response().headers().firstValue("x-request-id").isPresent());
    assertTrue(s.endsWithDone());
    List<JsonNode> chunks = s.data().stream().map(SseClient.Event::json).toList();
    JsonNode role = chunks.get(0);
    assertEquals("chat.completion.chunk", role.path("object").asText());
    assertTrue(role.path("id").asText().startsWith("chatcmpl-"));
    assertTrue(role.path("created").asLong() > 0);
    assertEquals(DefaultFleet.MODEL, role.path("model").asText());
    assertEquals("assistant", role.at("/choices/0/delta/role").asText());
    assertEquals("", role.at("/choices/0/delta/content").asText());
    JsonNode usageChunk = chunks.get(chunks.size() - 1);
    assertEquals(0, usageChunk.path("choices").size());
    JsonNode finish = chunks.get(chunks.size() - 2);
    assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
    assertEquals(0, finish.at("/choices/0/delta").size());
    List<JsonNode> tokens = chunks.subList(1, chunks.size() - 2);
    String text = tokens.stream().map(c -> c.at("/choices/0/delta/content").asText())
        .collect(Collectors.joining());
    JsonNode usage = usageChunk.path("usage");
    assertEquals(tokens.size(), usage.path("completion_tokens").asInt());
    // The client's local o200k count of the streamed text equals the server's usage.
    assertEquals(Fixtures.O200K.countTokensOrdinary(text), usage.path("completion_tokens").asInt());
    assertEquals(promptTokens(PROMPT), usage.path("prompt_tokens").asInt());
    assertEquals(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt(),
        usage.path("total_tokens").asInt());
  }

  @Test
  void shouldPutUsageOnFinishChunkWithoutRoleChunkWhenStyleIsVllm() throws Exception {
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url("vllm", "/chat/completions"), chat(PROMPT, true, 1000)).build());
    assertTrue(s.endsWithDone());
    List<JsonNode> chunks = s.data().stream().map(SseClient.Event::json).toList();
    assertTrue(chunks.get(0).at("/choices/0/delta/role").isMissingNode());
    assertFalse(chunks.get(0).at("/choices/0/delta/content").asText().isEmpty());
    JsonNode finish = chunks.get(chunks.size() - 1);
    assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
    // Every chunk before the finish chunk is one token.
    assertEquals(chunks.size() - 1, finish.at("/usage/completion_tokens").asInt());
    assertTrue(chunks.stream().allMatch(c -> c.path("choices").size() == 1));
  }

  @Test
  void shouldReportTimingsOnFinishChunkWhenStyleIsLlamaCpp() throws Exception {
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url("llama", "/chat/completions"), chat(PROMPT, true, 10)).build());
    List<JsonNode> chunks = s.data().stream().map(SseClient.Event::json).toList();
    JsonNode finish = chunks.get(chunks.size() - 1);
    assertEquals("length", finish.at("/choices/0/finish_reason").asText());
    assertEquals(10, finish.at("/usage/completion_tokens").asInt());
    JsonNode timings = finish.path("timings");
    int prompt = promptTokens(PROMPT);
    assertEquals(prompt, timings.path("prompt_n").asInt());
    // prompt_ms = ttft 10 ms (no jitter) + prompt / 50,000 tok/s * 1000.
    assertEquals(10 + prompt * 1000.0 / 50_000, timings.path("prompt_ms").asDouble(), 1e-9);
    assertEquals(10, timings.path("predicted_n").asInt());
    // 2000 tok/s, no jitter: 9 gaps of 0.5 ms = 4.5 ms; (10 - 1) / 4.5 ms = 2000 tok/s.
    assertEquals(4.5, timings.path("predicted_ms").asDouble(), 1e-9);
    assertEquals(2000.0, timings.path("predicted_per_second").asDouble(), 1e-9);
  }

  @Test
  void shouldSendReasoningContentBeforeContentWhenSkuReasons() throws Exception {
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url("think", "/chat/completions"), chat(PROMPT, true, 1000)).build());
    List<JsonNode> chunks = s.data().stream().map(SseClient.Event::json).toList();
    // chunk 0 is the role chunk; 1..5 reasoning; then visible content.
    for (int i = 1; i <= 5; i++) {
      assertFalse(chunks.get(i).at("/choices/0/delta/reasoning_content").isMissingNode(), "chunk " + i);
      assertTrue(chunks.get(i).at("/choices/0/delta/content").isMissingNode(), "chunk " + i);
    }
    assertFalse(chunks.get(6).at("/choices/0/delta/content").isMissingNode());
    JsonNode usage = chunks.get(chunks.size() - 1).path("usage");
    assertEquals(5, usage.at("/completion_tokens_details/reasoning_tokens").asInt());
    assertEquals(chunks.size() - 3, usage.path("completion_tokens").asInt());
  }

  @Test
  void shouldEmitAnthropicEventsInOrderWhenCallingMessages() throws Exception {
    Map<String, Object> body = new HashMap<>();
    body.put("model", DefaultFleet.MODEL);
    body.put("system", "Be brief.");
    body.put("messages", List.of(Map.of("role", "user",
        "content", List.of(Map.of("type", "text", "text", PROMPT)))));
    body.put("max_tokens", 1000);
    body.put("stream", true);
    SseClient.Streamed s = SseClient.stream(SseClient.post(url("think", "/messages"), body).build());
    List<SseClient.Event> events = s.events();
    List<String> names = events.stream().map(SseClient.Event::name).toList();
    int n = events.size();
    // message_start, thinking block (start, 5 thinking deltas, signature delta, stop),
    // text block (start, k text deltas, stop), message_delta, message_stop.
    int k = n - 1 - 8 - 2 - 2;
    assertEquals("message_start", names.get(0));
    assertEquals("content_block_start", names.get(1));
    assertEquals("thinking", events.get(1).json().at("/content_block/type").asText());
    for (int i = 2; i <= 6; i++) {
      assertEquals("thinking_delta", events.get(i).json().at("/delta/type").asText(), "event " + i);
    }
    assertEquals("signature_delta", events.get(7).json().at("/delta/type").asText());
    assertEquals("content_block_stop", names.get(8));
    assertEquals(0, events.get(8).json().path("index").asInt());
    assertEquals("content_block_start", names.get(9));
    assertEquals("text", events.get(9).json().at("/content_block/type").asText());
    assertEquals(1, events.get(9).json().path("index").asInt());
    for (int i = 10; i < 10 + k; i++) {
      assertEquals("text_delta", events.get(i).json().at("/delta/type").asText(), "event " + i);
    }
    assertEquals(List.of("content_block_stop", "message_delta", "message_stop"), names.subList(n - 3, n));
    JsonNode start = events.get(0).json();
    assertEquals(promptTokens(PROMPT), start.at("/message/usage/input_tokens").asInt());
    JsonNode delta = events.get(n - 2).json();
    assertEquals("end_turn", delta.at("/delta/stop_reason").asText());
    assertEquals(5 + k, delta.at("/usage/output_tokens").asInt());
    assertTrue(events.stream().noneMatch(SseClient.Event::done));
  }

  @Test
  void shouldAnswerAnthropicEventsOnChatRouteWhenStyleIsAnthropic() throws Exception {
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url("anth", "/chat/completions"), chat(PROMPT, true, 3)).build());
    List<String> names = s.events().stream().map(SseClient.Event::name).toList();
    // 3 tokens in one text block.
    assertEquals(List.of("message_start", "content_block_start", "content_block_delta",
        "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop"), names);
    assertEquals("max_tokens", s.events().get(6).json().at("/delta/stop_reason").asText());
  }

  @Test
  void shouldStreamTextCompletionChunksWhenCallingCompletions() throws Exception {
    Map<String, Object> body = Map.of("model", "m", "prompt", PROMPT, "max_tokens", 4, "stream", true,
        "stream_options", Map.of("include_usage", true), "logprobs", 2);
    SseClient.Streamed s = SseClient.stream(SseClient.post(url("oai", "/completions"), body).build());
    List<JsonNode> chunks = s.data().stream().map(SseClient.Event::json).toList();
    // 4 token chunks, finish chunk, usage chunk (OpenAI style): no role chunk on completions.
    assertEquals(6, chunks.size());
    for (int i = 0; i < 4; i++) {
      assertEquals("text_completion", chunks.get(i).path("object").asText());
      assertFalse(chunks.get(i).at("/choices/0/text").asText().isEmpty());
      assertEquals(2, chunks.get(i).at("/choices/0/logprobs/top_logprobs/0").size());
    }
    assertEquals("length", chunks.get(4).at("/choices/0/finish_reason").asText());
    assertEquals(4, chunks.get(5).at("/usage/completion_tokens").asInt());
    assertEquals(Fixtures.O200K.countTokensOrdinary(PROMPT), chunks.get(5).at("/usage/prompt_tokens").asInt());
  }

  @Test
  void shouldReturnFullJsonWithLogprobsWhenNotStreaming() throws Exception {
    Map<String, Object> body = withLogprobs(chat(PROMPT, false, 1000), 5);
    HttpResponse<String> r = SseClient.send(SseClient.post(url("oai", "/chat/completions"), body).build());
    assertEquals(200, r.statusCode());
    JsonNode json = SseClient.json(r);
    assertEquals("chat.completion", json.path("object").asText());
    JsonNode choice = json.at("/choices/0");
    assertEquals("assistant", choice.at("/message/role").asText());
    assertEquals("stop", choice.path("finish_reason").asText());
    JsonNode content = choice.at("/logprobs/content");
    assertEquals(json.at("/usage/completion_tokens").asInt(), content.size());
    StringBuilder text = new StringBuilder();
    for (JsonNode entry : content) {
      text.append(entry.path("token").asText());
      JsonNode top = entry.path("top_logprobs");
      assertEquals(5, top.size());
      // Temperature 0 is greedy: the emitted token is the most likely alternative.
      assertEquals(entry.path("token").asText(), top.get(0).path("token").asText());
      assertEquals(entry.path("logprob").asDouble(), top.get(0).path("logprob").asDouble(), 0.0);
      for (int i = 1; i < 5; i++) {
        assertTrue(top.get(i).path("logprob").asDouble() <= top.get(i - 1).path("logprob").asDouble());
      }
    }
    assertEquals(choice.at("/message/content").asText(), text.toString());
  }

  @Test
  void shouldCarryOneLogprobEntryPerChunkWhenStreamingWithLogprobs() throws Exception {
    Map<String, Object> body = withLogprobs(chat(PROMPT, true, 6), 20);
    SseClient.Streamed s = SseClient.stream(SseClient.post(url("vllm", "/chat/completions"), body).build());
    List<JsonNode> chunks = s.data().stream().map(SseClient.Event::json).toList();
    // 6 token chunks, then the finish chunk.
    assertEquals(7, chunks.size());
    for (int i = 0; i < 6; i++) {
      JsonNode entries = chunks.get(i).at("/choices/0/logprobs/content");
      assertEquals(1, entries.size());
      assertEquals(chunks.get(i).at("/choices/0/delta/content").asText(), entries.get(0).path("token").asText());
      assertEquals(20, entries.get(0).path("top_logprobs").size());
    }
  }

  @Test
  void shouldAnswerNonStreamingMessagesWithThinkingAndTextBlocks() throws Exception {
    Map<String, Object> body = Map.of("model", "m", "max_tokens", 1000,
        "messages", List.of(Map.of("role", "user", "content", PROMPT)));
    HttpResponse<String> r = SseClient.send(SseClient.post(url("think", "/messages"), body).build());
    JsonNode json = SseClient.json(r);
    assertEquals("message", json.path("type").asText());
    assertEquals("thinking", json.at("/content/0/type").asText());
    assertEquals("text", json.at("/content/1/type").asText());
    assertEquals("end_turn", json.path("stop_reason").asText());
    String thinking = json.at("/content/0/thinking").asText();
    String text = json.at("/content/1/text").asText();
    // Every token of both blocks counts as output.
    assertEquals(Fixtures.O200K.countTokensOrdinary(thinking) + Fixtures.O200K.countTokensOrdinary(text),
        json.at("/usage/output_tokens").asInt());
    assertEquals(5, Fixtures.O200K.countTokensOrdinary(thinking));
  }

  @Test
  void shouldRejectWithBadRequestWhenTopLogprobsExceeds20() throws Exception {
    Map<String, Object> body = withLogprobs(chat(PROMPT, false, 10), 21);
    HttpResponse<String> r = SseClient.send(SseClient.post(url("oai", "/chat/completions"), body).build());
    assertEquals(400, r.statusCode());
    assertTrue(SseClient.json(r).at("/error/message").asText().contains("top_logprobs"));
  }

  @Test
  void shouldAnswerWithNullLogprobsWhenSkuHasNoneEvenIfAsked() throws Exception {
    Map<String, Object> body = withLogprobs(chat(PROMPT, false, 8), 5);
    HttpResponse<String> r = SseClient.send(SseClient.post(url("nolp", "/chat/completions"), body).build());
    assertEquals(200, r.statusCode());
    JsonNode choice = SseClient.json(r).at("/choices/0");
    assertTrue(choice.path("logprobs").isNull(), choice.toString());
    assertFalse(choice.at("/message/content").asText().isEmpty());
    // streamed too: every token chunk says null, none carries an entry
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url("nolp", "/chat/completions"), withLogprobs(chat(PROMPT, true, 4), 5)).build());
    List<JsonNode> tokens = s.data().stream().map(SseClient.Event::json)
        .filter(c -> !c.at("/choices/0/delta/content").asText().isEmpty()).toList();
    assertEquals(4, tokens.size());
    tokens.forEach(c -> assertTrue(c.at("/choices/0/logprobs").isNull(), c.toString()));
  }
}
