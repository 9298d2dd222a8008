package dev.tokenarena.simulator;

import static dev.tokenarena.simulator.SimulatorWireTest.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real sockets: timing, failures, authentication, limits, load and mid-run changes. */
class SimulatorBehaviourTest {

  private static final String KEY = "sk-canary-7d1f";
  private static Simulator sim;

  @BeforeAll
  static void start() {
    sim = Simulator.start(List.of(
        Fixtures.quiet("fast", WireStyle.OPENAI).build(),
        Fixtures.quiet("ttft200", WireStyle.OPENAI).ttftMs(200).tokensPerSecond(1000).build(),
        Fixtures.quiet("fails", WireStyle.OPENAI).errorRate(1.0).build(),
        Fixtures.quiet("limited", WireStyle.OPENAI).rateLimitRate(1.0).build(),
        Fixtures.quiet("broken", WireStyle.VLLM).brokenStreamRate(1.0).build(),
        Fixtures.quiet("keyed", WireStyle.OPENAI).apiKey(KEY).build(),
        Fixtures.quiet("mutable", WireStyle.OPENAI).build(),
        Fixtures.quiet("load", WireStyle.OPENAI).ttftMs(100).tokensPerSecond(200).build(),
        Fixtures.quiet(DefaultFleet.REFERENCE, WireStyle.OPENAI).build(),
        Fixtures.quiet(DefaultFleet.FAITHFUL, WireStyle.VLLM).build()),
        List.of(new RegionListener("near", 0, 0), new RegionListener("far", 0, 50)));
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static String url(String region, String endpoint) {
    return sim.baseUrl(region, endpoint) + "/chat/completions";
  }

  private static double ttftMs(String region) throws Exception {
    SseClient.Streamed s = SseClient.stream(
        SseClient.post(url(region, "ttft200"), chat("time me", true, 5)).build());
    // The OpenAI role chunk carries no token; the first token is the first non-empty content.
    SseClient.Event first = s.data().stream()
        .filter(e -> !e.json().at("/choices/0/delta/content").asText("").isEmpty())
        .findFirst().orElseThrow();
    return (first.nanos() - s.sentNanos()) / 1e6;
  }

  @Test
  void shouldMeasureTtftNearScheduleWhenTtftIs200Ms() throws Exception {
    // Scheduled: 200 ms + ~4 prompt tokens / 50,000 tok/s (0.1 ms), no jitter. The bound is loose:
    // it checks the schedule is honoured, not the machine's speed.
    double near = ttftMs("near");
    assertTrue(near >= 180 && near <= 400, "near TTFT " + near);
    // The far region adds its 50 ms network delay before the headers: 250 ms scheduled.
    double far = ttftMs("far");
    assertTrue(far >= 230 && far <= 450, "far TTFT " + far);
  }

  @Test
  void shouldAnswer429WithRetryAfterWhenRateLimited() throws Exception {
    HttpResponse<String> r = SseClient.send(SseClient.post(url("near", "limited"), chat("x", true, 5)).build());
    assertEquals(429, r.statusCode());
    assertEquals("1", r.headers().firstValue("retry-after").orElseThrow());
    assertEquals("rate_limit_exceeded", SseClient.json(r).at("/error/code").asText());
  }

  @Test
  void shouldAnswer500HtmlWhenServerErrorDrawn() throws Exception {
    HttpResponse<String> r = SseClient.send(SseClient.post(url("near", "fails"), chat("x", true, 5)).build());
    assertEquals(500, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
    assertTrue(r.body().contains("<h1>500 Internal Server Error</h1>"), r.body());
  }

  @Test
  void shouldAnswer401WhenApiKeyMissingOrWrong() throws Exception {
    HttpResponse<String> missing = SseClient.send(
        SseClient.post(url("near", "keyed"), chat("x", false, 3)).build());
    HttpResponse<String> wrong = SseClient.send(SseClient.post(url("near", "keyed"), chat("x", false, 3))
        .header("authorization", "Bearer sk-wrong").build());
    HttpResponse<String> right = SseClient.send(SseClient.post(url("near", "keyed"), chat("x", false, 3))
        .header("authorization", "Bearer " + KEY).build());
    HttpResponse<String> anthropic = SseClient.send(SseClient.post(sim.baseUrl("near", "keyed") + "/messages",
        Map.of("max_tokens", 3, "messages", List.of(Map.of("role", "user", "content", "x"))))
        .header("x-api-key", KEY).build());
    assertEquals(401, missing.statusCode());
    assertEquals("invalid_api_key", SseClient.json(missing).at("/error/code").asText());
    assertEquals(401, wrong.statusCode());
    assertEquals(200, right.statusCode());
    assertEquals(200, anthropic.statusCode());
    assertFalse(missing.body().contains(KEY));
    assertFalse(sim.spec("keyed").toString().contains(KEY));
  }

  @Test
  void shouldAnswer404JsonWhenEndpointUnknown() throws Exception {
    HttpResponse<String> r = SseClient.send(SseClient.post(
        "http://127.0.0.1:" + sim.port("near") + "/nobody/v1/chat/completions", chat("x", false, 3)).build());
    assertEquals(404, r.statusCode());
    JsonNode error = SseClient.json(r);
    assertEquals("endpoint_not_found", error.at("/error/code").asText());
    assertTrue(error.at("/error/message").asText().contains("nobody"));
    HttpResponse<String> noRoute = SseClient.send(SseClient.post(
        "http://127.0.0.1:" + sim.port("near") + "/fast/v2/other", chat("x", false, 3)).build());
    assertEquals(404, noRoute.statusCode());
  }

  @Test
  void shouldAnswer413NamingTheLimitWhenBodyExceeds8MiB() throws Exception {
    // Only the headers are sent: Content-Length alone tells the server the body is too large.
    try (Socket socket = new Socket("127.0.0.1", sim.port("near"))) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /fast/v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (Simulator.MAX_REQUEST_BYTES + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = readAll(socket.getInputStream());
      assertTrue(response.startsWith("HTTP/1.1 413"), response);
      assertTrue(response.contains("8388608 bytes"), response);
    }
  }

  @Test
  void shouldCloseMidStreamWithoutDoneWhenBrokenStreamDrawn() throws Exception {
    // A raw socket, not the JDK client: that one may report the cut body before it hands over the
    // chunks that arrived just ahead of the close, so counting its lines flaked (0 of 5 in a CI run).
    java.net.URI uri = java.net.URI.create(url("near", "broken"));
    byte[] body = SseClient.JSON.writeValueAsBytes(chat("x", true, 10));
    try (Socket socket = new Socket("127.0.0.1", uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String response = readUntilClosed(socket.getInputStream());
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), response);
      // 10 tokens planned, connection closed after 10 / 2 = 5 (VLLM: no role chunk).
      assertEquals(5, response.lines().filter(l -> l.startsWith("data: ")).count(), response);
      assertFalse(response.contains("[DONE]"), response);
      // Truncated: the chunked body never got its terminating zero-length chunk.
      assertFalse(response.endsWith("0\r\n\r\n"), response);
    }
  }

  @Test
  void shouldServeHundredsOfConcurrentStreamsWhenLoaded() throws Exception {
    // 200 streams of 20 tokens at 200 tok/s after a 100 ms TTFT: ~100 + 19 * 5 = 195 ms each.
    // One after another they would take 200 * 0.195 = 39 s; concurrently well under 5 s.
    int streams = 200;
    long t0 = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      HttpRequest request = SseClient.post(url("near", "load"), chat("load " + i, true, 20)).build();
      futures.add(SseClient.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : futures) {
      HttpResponse<String> r = f.join();
      assertEquals(200, r.statusCode());
      assertTrue(r.body().endsWith("data: [DONE]\n\n"));
      // role chunk + 20 tokens + finish + usage + [DONE].
      assertEquals(24, r.body().split("\n\n").length);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 5, "200 concurrent streams took " + seconds + " s");
  }

  @Test
  void shouldApplyUpdateToNewRequestsAndCountEveryRequest() throws Exception {
    long before = sim.requestCount("mutable");
    HttpResponse<String> ok = SseClient.send(SseClient.post(url("near", "mutable"), chat("x", false, 3)).build());
    sim.update("mutable", s -> s.toBuilder().rateLimitRate(1.0).build());
    HttpResponse<String> limited = SseClient.send(
        SseClient.post(url("near", "mutable"), chat("x", false, 3)).build());
    sim.update("mutable", s -> s.toBuilder().rateLimitRate(0).build());
    assertEquals(200, ok.statusCode());
    assertEquals(429, limited.statusCode());
    assertEquals(1.0 - 1.0, sim.spec("mutable").rateLimitRate());
    // Two requests, the 429 counted too.
    assertEquals(before + 2, sim.requestCount("mutable"));
    assertThrows(IllegalArgumentException.class,
        () -> sim.update("mutable", s -> s.toBuilder().endpointId("other").build()));
    assertThrows(IllegalArgumentException.class, () -> sim.update("nobody", s -> s));
  }

  @Test
  void shouldMatchReferenceLogprobsUntilSilentQuantizationWhenFaithfulIsUpdated() throws Exception {
    String prompt = "fingerprint prompt 3: tell me about the sea";
    JsonNode reference = logprobs(DefaultFleet.REFERENCE, prompt);
    assertEquals(reference, logprobs(DefaultFleet.FAITHFUL, prompt));
    sim.update(DefaultFleet.FAITHFUL, DefaultFleet.silentQuantization());
    try {
      assertEquals(0.70, sim.spec(DefaultFleet.FAITHFUL).systematicNoise());
      assertEquals(0.75, sim.spec(DefaultFleet.FAITHFUL).accuracy());
      assertNotEquals(reference, logprobs(DefaultFleet.FAITHFUL, prompt));
    } finally {
      sim.update(DefaultFleet.FAITHFUL, DefaultFleet.revertSilentQuantization());
    }
    assertEquals(0.0, sim.spec(DefaultFleet.FAITHFUL).systematicNoise());
    assertEquals(0.90, sim.spec(DefaultFleet.FAITHFUL).accuracy());
    assertEquals(reference, logprobs(DefaultFleet.FAITHFUL, prompt));
  }

  @Test
  void shouldScoreExactly36Of40WhenFullGsm8kPassRunsAgainstAccuracy090() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (Gsm8kBank.Item item : Fixtures.BANK.items()) {
      futures.add(SseClient.HTTP.sendAsync(
          SseClient.post(url("near", "fast"), chat(item.question(), false, 256)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    int correct = 0;
    for (int i = 0; i < futures.size(); i++) {
      String content = SseClient.json(futures.get(i).join()).at("/choices/0/message/content").asText();
      String given = content.substring(content.lastIndexOf("####") + 4).trim();
      if (given.equals(Fixtures.BANK.items().get(i).answer())) {
        correct++;
      }
    }
    // round(0.90 * 40) = 36.
    assertEquals(36, correct);
  }

  private static JsonNode logprobs(String endpoint, String prompt) throws Exception {
    Map<String, Object> body = chat(prompt, false, 16);
    body.put("logprobs", true);
    body.put("top_logprobs", 5);
    HttpResponse<String> r = SseClient.send(SseClient.post(url("near", endpoint), body).build());
    assertEquals(200, r.statusCode(), r.body());
    return SseClient.json(r).at("/choices/0/logprobs/content");
  }

  /** Everything the server sent before it closed (a reset after the last bytes counts as the close). */
  private static String readUntilClosed(InputStream in) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        buffer.write(chunk, 0, n);
      }
    } catch (java.io.IOException e) {
      // reset by the peer: what arrived before it is the answer
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    in.transferTo(buffer);
    return buffer.toString(StandardCharsets.UTF_8);
  }

}
