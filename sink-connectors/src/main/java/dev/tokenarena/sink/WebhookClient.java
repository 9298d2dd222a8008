package dev.tokenarena.sink;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * One POST of one body to the webhook, classified into delivered, rejected for good, or worth
 * retrying. No retry loop here: {@link WebhookSinkTask} owns the policy.
 */
final class WebhookClient {

    static final String DELIVERY_HEADER = "X-Arena-Delivery";
    /** Characters of a response body kept for a DLQ reason or a log line. */
    static final int SNIPPET_CHARS = 200;

    /** What one attempt came to. */
    record Attempt(Outcome outcome, int status, String detail, OptionalLong retryAfterMs) {

        static Attempt transientFailure(String detail) {
            return new Attempt(Outcome.RETRY, -1, detail, OptionalLong.empty());
        }
    }

    enum Outcome {
        DELIVERED,
        /** The receiver refused this record and will refuse it again: a 4xx other than 408 and 429. */
        REJECTED,
        RETRY
    }

    private final WebhookSinkConfig config;
    private final WebhookSignature signature;
    private final HttpClient http;
    private final String userAgent = "TokenArena-webhook-sink/" + Versions.VERSION;

    WebhookClient(WebhookSinkConfig config) {
        this.config = config;
        this.signature = config.hmacSecret().map(WebhookSignature::new).orElse(null);
        // HTTP/1.1 and no redirects: a redirect could carry a signed alert to a host nobody configured.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(config.timeoutMs()))
                .build();
    }

    /**
     * POSTs one body.
     *
     * @param deliveryId {@code <topic>-<partition>-<offset>}, the same on every redelivery so the receiver can dedupe
     * @throws InterruptedException when the task thread is interrupted while waiting for the answer
     */
    Attempt post(byte[] body, String deliveryId) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.url())
                .timeout(Duration.ofMillis(config.timeoutMs()))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", userAgent)
                .header(DELIVERY_HEADER, deliveryId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            // Fresh per attempt, so a receiver's replay window applies to retries too.
            long now = System.currentTimeMillis();
            request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
                    .header(WebhookSignature.SIGNATURE_HEADER, signature.sign(now, body));
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // Connection refused or reset, connect or response timeout: the receiver may be back later.
            // The class name only: JDK messages can quote the URL, whose path may be the secret.
            return Attempt.transientFailure(e.getClass().getSimpleName() + describe(e));
        }
        int status = response.statusCode();
        String detail = "HTTP " + status + snippet(response.body());
        if (status >= 200 && status < 300) {
            return new Attempt(Outcome.DELIVERED, status, detail, OptionalLong.empty());
        }
        if (status < 400 || status == 408 || status == 429 || status >= 500) {
            // 1xx/3xx are not deliveries either; retrying keeps the alert until someone fixes webhook.url.
            return new Attempt(Outcome.RETRY, status, detail, retryAfterMs(response));
        }
        return new Attempt(Outcome.REJECTED, status, detail, OptionalLong.empty());
    }

    // Timeouts and refusals have fixed, URL-free messages; anything else is summarised by class.
    private static String describe(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("timed out") || m.equals("Connection refused")) ? " (" + m + ")" : "";
    }

    /** Retry-After in delay-seconds; the HTTP-date form is not used by the receivers we know and falls back to backoff. */
    private static OptionalLong retryAfterMs(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::trim).filter(v -> v.matches("\\d{1,9}"))
                .map(v -> OptionalLong.of(Long.parseLong(v) * 1000L)).orElse(OptionalLong.empty());
    }

    static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return ": " + (text.length() <= SNIPPET_CHARS ? text : text.substring(0, SNIPPET_CHARS) + "...");
    }
}
