package dev.tokenarena.schemas.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A scripted HTTP server for client tests: each "METHOD path" answers from a queue of canned
 * responses (the last one repeats), and every request is recorded so a test can count them.
 */
final class FakeRegistryHttp implements AutoCloseable {

    record Recorded(String method, String uri, String contentType, String authorization, String body) {
    }

    record Canned(int status, String body, CountDownLatch holdUntil) {
    }

    private final HttpServer server;
    private final Map<String, Deque<Canned>> script = new ConcurrentHashMap<>();
    final List<Recorded> requests = new CopyOnWriteArrayList<>();

    FakeRegistryHttp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    FakeRegistryHttp on(String method, String rawPath, int status, String body) {
        script.computeIfAbsent(method + " " + rawPath, k -> new ArrayDeque<>()).add(new Canned(status, body, null));
        return this;
    }

    /** Answers only when the latch opens: lets a test provoke the client's request timeout without sleeping. */
    FakeRegistryHttp hold(String method, String rawPath, CountDownLatch latch) {
        script.computeIfAbsent(method + " " + rawPath, k -> new ArrayDeque<>()).add(new Canned(200, "{}", latch));
        return this;
    }

    long count(String method, String rawPath) {
        return requests.stream().filter(r -> r.method().equals(method) && r.uri().split("\\?")[0].equals(rawPath)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String rawUri = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        requests.add(new Recorded(exchange.getRequestMethod(), rawUri,
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Authorization"), body));
        Deque<Canned> queue = script.get(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
        Canned canned;
        synchronized (this) {
            canned = queue == null ? new Canned(404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}", null)
                    : queue.size() > 1 ? queue.poll() : queue.peek();
        }
        if (canned.holdUntil() != null) {
            try {
                canned.holdUntil().await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = canned.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
        try {
            exchange.sendResponseHeaders(canned.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            // the client timed out and closed the connection: nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
