package dev.tokenarena.sink;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP receiver on a loopback port for the webhook tests: answers with a scripted list of
 * replies (then the fallback) and records every request as it arrived.
 */
final class LoopbackReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(long atNanos, String method, String path, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One scripted answer; {@code delayMs} holds the answer back, to provoke client timeouts. */
    record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        static Reply of(int status) {
            return new Reply(status, "", Map.of(), 0);
        }

        static Reply of(int status, String body) {
            return new Reply(status, body, Map.of(), 0);
        }

        Reply withHeader(String name, String value) {
            return new Reply(status, body, Map.of(name, value), delayMs);
        }

        Reply delayedBy(long ms) {
            return new Reply(status, body, headers, ms);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Reply> script = new ArrayDeque<>();
    private volatile Reply fallback = Reply.of(200, "ok");
    private volatile Predicate<Received> scripted = r -> true;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch closed = new CountDownLatch(1);

    LoopbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        // Several threads: a delayed answer must not hold up the retry that follows it.
        server.setExecutor(executor);
        server.start();
    }

    /** Replies for the next requests, in order. */
    synchronized LoopbackReceiver thenReply(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** The reply once the script is used up (200 "ok" unless changed). */
    LoopbackReceiver otherwiseReply(Reply reply) {
        fallback = reply;
        return this;
    }

    /** Only requests that match use the script; others get the fallback (for a broker shared with other tests). */
    LoopbackReceiver scriptOnlyFor(Predicate<Received> which) {
        scripted = which;
        return this;
    }

    String url(String path) {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + path;
    }

    private synchronized Reply next(Received request) {
        Reply r = scripted.test(request) ? script.poll() : null;
        return r == null ? fallback : r;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long at = System.nanoTime();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Headers headers = new Headers();
        headers.putAll(exchange.getRequestHeaders());
        Received request = new Received(at, exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
        received.add(request);
        Reply reply = next(request);
        if (reply.delayMs() > 0) {
            try {
                // held back until the delay has passed, or at once when the receiver closes
                closed.await(reply.delayMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] answer = reply.body().getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(reply.status(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        } catch (IOException e) {
            // The client gave up (timeout) before the answer: expected in the timeout test.
        } finally {
            exchange.close();
        }
    }

    /** Milliseconds between the arrivals of request i-1 and request i. */
    long gapMs(int i) {
        return (received.get(i).atNanos() - received.get(i - 1).atNanos()) / 1_000_000;
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
