package dev.tokenarena.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible streaming server on a real socket whose throughput saturates at a known
 * concurrency: {@code slots} requests decode at once (a fair queue holds the rest, as a batch-
 * limited GPU server would), each streaming {@code tokens} one-token chunks {@code tokenMs} apart,
 * the first as soon as it has a slot. Throughput is therefore at most
 * {@code slots x tokens / ((tokens - 1) x tokenMs)}, reached at concurrency {@code slots}.
 * The pauses pace the simulated GPU; they are not a test waiting for something.
 */
final class SaturatingLlmServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Semaphore slots;
    private final int tokens;
    private final long tokenMs;
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger peakInside = new AtomicInteger();
    private final AtomicInteger decoding = new AtomicInteger();
    private final AtomicInteger peakDecoding = new AtomicInteger();

    SaturatingLlmServer(int slots, int tokens, long tokenMs) throws IOException {
        this.slots = new Semaphore(slots, true);
        this.tokens = tokens;
        this.tokenMs = tokenMs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Most requests the server held at once, queued or decoding. */
    int peakInside() {
        return peakInside.get();
    }

    /** Most requests decoding at once: never above the slots. */
    int peakDecoding() {
        return peakDecoding.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        peakInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            slots.acquire();
            try {
                peakDecoding.accumulateAndGet(decoding.incrementAndGet(), Math::max);
                exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                for (int i = 0; i < tokens; i++) {
                    if (i > 0) {
                        TimeUnit.MILLISECONDS.sleep(tokenMs);
                    }
                    String finish = i == tokens - 1 ? "\"stop\"" : "null";
                    out.write(("data: {\"id\":\"s\",\"choices\":[{\"delta\":{\"content\":\" tok\"},\"finish_reason\":" + finish
                            + "}]}\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                out.write(("data: {\"id\":\"s\",\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":" + tokens
                        + "}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } finally {
                decoding.decrementAndGet();
                slots.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client hung up
        } finally {
            inside.decrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
