package dev.tokenarena.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A scripted LLM endpoint on a real local socket: each request is answered by the current
 * script with a status, headers and body chunks written and flushed one by one (so the client
 * sees a real stream), or held open until the server closes (for timeouts).
 */
final class FakeLlmServer implements AutoCloseable {

    /** What the server received. */
    record Received(String path, Map<String, List<String>> headers, String body) {
    }

    /** A scripted answer. {@code hang} holds the request open without answering. */
    record Reply(int status, Map<String, String> headers, List<String> chunks, boolean hang) {

        static Reply sse(List<String> chunks) {
            return new Reply(200, Map.of("Content-Type", "text/event-stream"), chunks, false);
        }

        static Reply status(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), List.of(body), false);
        }

        static Reply hanging() {
            return new Reply(0, Map.of(), List.of(), true);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Reply> script = r -> Reply.status(404, "{}");

    FakeLlmServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void script(Function<Received, Reply> script) {
        this.script = script;
    }

    List<Received> received() {
        return received;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r = new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body);
            received.add(r);
            Reply reply = script.apply(r);
            if (reply.hang()) {
                release.await();
                return;
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(reply.status(), 0); // chunked
            OutputStream out = exchange.getResponseBody();
            for (String chunk : reply.chunks()) {
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client hung up first (limits, timeouts): expected in these tests
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
