package dev.tokenarena.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.time.Ticker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * Non-streaming OpenAI-compatible chat client ({@code POST {base_url}/chat/completions}) for
 * eval items and fingerprints, where only the final answer and logprobs matter; timing-grade
 * streaming lives in the probe agent.
 *
 * <p>Every input is bounded: the whole exchange by the request timeout, the body by a byte
 * limit, the positions by a count. The API key is read from the environment function at call
 * time, sent only as a Bearer header, and scrubbed from any error text (a hostile server could
 * echo it back in an error body).
 */
public final class ChatClient {

    /** Default bound of a response body, bytes (8 MiB). */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
    static final int MAX_POSITIONS = 4096;
    static final int MAX_ERROR_CHARS = 512;
    private static final int BODY_SNIPPET_CHARS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Function<String, String> env;
    private final Duration timeout;
    private final long maxResponseBytes;
    private final Ticker ticker;

    /** A client with its own HTTP/1.1 connection pool. */
    public ChatClient(Function<String, String> env, Duration timeout) {
        this(HttpClient.newBuilder()
                // HTTP/1.1 everywhere: an h2c upgrade attempt on plain http:// confuses some local
                // servers (simulator, vLLM behind proxies) and buys nothing for one request per call.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build(), env, timeout, DEFAULT_MAX_RESPONSE_BYTES, Ticker.SYSTEM);
    }

    ChatClient(HttpClient http, Function<String, String> env, Duration timeout, long maxResponseBytes, Ticker ticker) {
        this.http = Objects.requireNonNull(http, "http");
        this.env = Objects.requireNonNull(env, "env");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxResponseBytes = maxResponseBytes;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** Sends one request and never throws for anything the endpoint does: the outcome says. */
    public ChatResult complete(ChatRequest request) {
        String key = request.apiKeyEnv() == null ? null : env.apply(request.apiKeyEnv());
        long start = ticker.nanos();
        HttpRequest httpRequest;
        try {
            httpRequest = httpRequest(request, key);
        } catch (IllegalArgumentException e) {
            return ChatResult.failure(Outcome.CONNECT_ERROR, 0, 0.0,
                    cap(scrub("invalid base_url '" + request.baseUrl() + "': " + e.getMessage(), key)));
        }
        CompletableFuture<HttpResponse<byte[]>> future =
                http.sendAsync(httpRequest, info -> new BoundedBodySubscriber(maxResponseBytes));
        HttpResponse<byte[]> response;
        try {
            // The request timeout only covers the headers; the overall deadline covers the body too.
            response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return ChatResult.failure(Outcome.TIMEOUT, 0, millisSince(start),
                    "no complete response within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return ChatResult.failure(Outcome.TIMEOUT, 0, millisSince(start), "interrupted while waiting");
        } catch (ExecutionException | CancellationException e) {
            return fromException(unwrap(e), millisSince(start), key);
        }
        double latencyMs = millisSince(start);
        return fromResponse(response.statusCode(), response.body(), latencyMs, request, key,
                response.headers().firstValue("retry-after").orElse(null));
    }

    private HttpRequest httpRequest(ChatRequest request, String key) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", request.modelName());
        body.putArray("messages").addObject().put("role", "user").put("content", request.prompt());
        body.put("temperature", 0);
        body.put("max_tokens", request.maxTokens());
        body.put("stream", false);
        if (request.topLogprobs() > 0) {
            body.put("logprobs", true);
            body.put("top_logprobs", request.topLogprobs());
        }
        String base = request.baseUrl().endsWith("/")
                ? request.baseUrl().substring(0, request.baseUrl().length() - 1) : request.baseUrl();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (key != null && !key.isEmpty()) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder.build();
    }

    private ChatResult fromResponse(int status, byte[] body, double latencyMs, ChatRequest request, String key,
                                    String retryAfter) {
        if (status == 429) {
            return ChatResult.failure(Outcome.RATE_LIMITED, status, latencyMs, cap(scrub("HTTP 429"
                    + (retryAfter == null ? "" : " (retry-after " + retryAfter + ")") + ": " + snippet(body, key), key)));
        }
        if (status < 200 || status > 299) {
            String hint = (status == 401 || status == 403) && request.apiKeyEnv() != null && (key == null || key.isEmpty())
                    ? " (environment variable " + request.apiKeyEnv() + " is not set)" : "";
            return ChatResult.failure(Outcome.HTTP_ERROR, status, latencyMs,
                    cap(scrub("HTTP " + status + hint + ": " + snippet(body, key), key)));
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return ChatResult.failure(Outcome.PROTOCOL_ERROR, status, latencyMs,
                    cap(scrub("response is not JSON: " + e.getClass().getSimpleName() + ": " + snippet(body, key), key)));
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || !choice.isObject()) {
            return ChatResult.failure(Outcome.PROTOCOL_ERROR, status, latencyMs,
                    cap(scrub("response has no choices[0]: " + snippet(body, key), key)));
        }
        JsonNode message = choice.path("message");
        String content = textOrEmpty(message.get("content"));
        // vLLM and DeepSeek say reasoning_content; some OpenRouter-style servers say reasoning.
        String reasoning = textOrEmpty(message.has("reasoning_content") ? message.get("reasoning_content")
                : message.get("reasoning"));
        String finish = choice.hasNonNull("finish_reason") ? choice.get("finish_reason").asText() : null;
        List<ChatResult.Position> positions;
        try {
            positions = positions(choice.path("logprobs").path("content"));
        } catch (IllegalArgumentException e) {
            return ChatResult.failure(Outcome.PROTOCOL_ERROR, status, latencyMs, cap(scrub(e.getMessage(), key)));
        }
        return new ChatResult(Outcome.OK, status, content, reasoning, usage(root.get("usage")), positions, finish,
                latencyMs, null);
    }

    private static ChatResult.Usage usage(JsonNode usage) {
        if (usage == null || !usage.isObject() || !usage.path("prompt_tokens").canConvertToInt()
                || !usage.path("completion_tokens").canConvertToInt()
                || !usage.has("prompt_tokens") || !usage.has("completion_tokens")) {
            return null;
        }
        int reasoning = usage.path("completion_tokens_details").path("reasoning_tokens").asInt(0);
        return new ChatResult.Usage(usage.get("prompt_tokens").asInt(), usage.get("completion_tokens").asInt(),
                Math.max(0, reasoning));
    }

    private static List<ChatResult.Position> positions(JsonNode content) {
        if (content == null || !content.isArray()) {
            return List.of();
        }
        if (content.size() > MAX_POSITIONS) {
            throw new IllegalArgumentException("logprobs.content has " + content.size()
                    + " positions; the limit is " + MAX_POSITIONS);
        }
        List<ChatResult.Position> out = new ArrayList<>(content.size());
        for (JsonNode p : content) {
            if (!p.hasNonNull("token") || !p.path("logprob").isNumber()) {
                throw new IllegalArgumentException("logprobs.content[" + out.size() + "] lacks token or logprob");
            }
            List<ChatResult.Alternative> top = new ArrayList<>();
            for (JsonNode alt : p.path("top_logprobs")) {
                if (alt.hasNonNull("token") && alt.path("logprob").isNumber() && top.size() < 20) {
                    top.add(new ChatResult.Alternative(alt.get("token").asText(), alt.get("logprob").asDouble()));
                }
            }
            out.add(new ChatResult.Position(p.get("token").asText(), p.get("logprob").asDouble(), top));
        }
        return out;
    }

    private static ChatResult fromException(Throwable t, double latencyMs, String key) {
        String reason = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        Outcome outcome;
        if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException
                || t instanceof UnresolvedAddressException || t instanceof SSLException) {
            outcome = Outcome.CONNECT_ERROR;
        } else if (t instanceof HttpTimeoutException) {
            outcome = Outcome.TIMEOUT;
        } else {
            // Cut-off bodies, oversized bodies, resets after the request was sent.
            outcome = Outcome.PROTOCOL_ERROR;
        }
        return ChatResult.failure(outcome, 0, latencyMs, cap(scrub(reason, key)));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof CompletionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        // The JDK wraps a ConnectException in a plain IOException on some paths.
        if (cur instanceof IOException && !(cur instanceof HttpTimeoutException)
                && cur.getCause() instanceof ConnectException ce) {
            return ce;
        }
        return cur;
    }

    private static String textOrEmpty(JsonNode node) {
        return node == null || node.isNull() ? "" : node.asText();
    }

    /** The start of a body for an error message; the key is scrubbed before cutting so no part of it survives. */
    private static String snippet(byte[] body, String key) {
        if (body == null || body.length == 0) {
            return "(empty body)";
        }
        String s = scrub(new String(body, StandardCharsets.UTF_8), key).replaceAll("\\s+", " ");
        return s.length() > BODY_SNIPPET_CHARS ? s.substring(0, BODY_SNIPPET_CHARS) + "..." : s;
    }

    /** Removes the key wherever it appears; the test proves no error text carries it. */
    static String scrub(String text, String key) {
        if (text == null || key == null || key.length() < 4) {
            return text;
        }
        return text.replace(key, "***");
    }

    static String cap(String text) {
        return text == null || text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS - 3) + "...";
    }

    private double millisSince(long startNanos) {
        return (ticker.nanos() - startNanos) / 1_000_000.0;
    }
}
