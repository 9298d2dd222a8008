package dev.tokenarena.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A test client: posts JSON with the JDK client and splits an SSE body into timed events. */
final class SseClient {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /** One SSE event; {@code name} is null when the server sent no {@code event:} line. */
  record Event(String name, String data, long nanos) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean done() {
      return "[DONE]".equals(data);
    }
  }

  /**
   * @param sentNanos when the request was handed to the client
   * @param failure   the I/O error that ended the body early, or null
   */
  record Streamed(HttpResponse<?> response, List<Event> events, long sentNanos, Throwable failure) {
    int status() {
      return response.statusCode();
    }

    List<Event> data() {
      return events.stream().filter(e -> !e.done()).toList();
    }

    boolean endsWithDone() {
      return !events.isEmpty() && events.get(events.size() - 1).done();
    }
  }

  private SseClient() {
  }

  static HttpRequest.Builder post(String url, Object body) {
    try {
      return HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(10))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Streamed stream(HttpRequest request) throws IOException, InterruptedException {
    long sent = System.nanoTime();
    HttpResponse<Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
    List<Event> events = new ArrayList<>();
    Throwable failure = null;
    String name = null;
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        long now = System.nanoTime();
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          events.add(new Event(name, line.substring(6), now));
        } else if (line.isEmpty()) {
          name = null;
        }
      }
    } catch (UncheckedIOException e) {
      failure = e.getCause();
    }
    return new Streamed(response, events, sent, failure);
  }

  static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }
}
