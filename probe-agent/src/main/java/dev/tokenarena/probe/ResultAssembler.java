package dev.tokenarena.probe;

import dev.tokenarena.schemas.v1.ProbeResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * Turns an {@link Exchange} into a ProbeResult: the outcome taxonomy, token counts both ways, the
 * timing figures, canary hash and needle check. Every string that came from the endpoint is
 * scrubbed of the API key, because a hostile or buggy server may echo it back.
 */
final class ResultAssembler {

    private final Tokenizer tokenizer;

    ResultAssembler(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    ProbeResult assemble(ProbeRequest request, Exchange exchange, long startedAtMs, String secret) {
        StreamRecorder stream = exchange.stream();
        String visible = stream.visibleText();
        int reasoningLocal = tokenizer.count(stream.reasoningText());
        int outputLocal = tokenizer.count(visible) + reasoningLocal;
        Integer outputServer = stream.outputTokensServer();
        int outputTokens = outputServer != null ? outputServer : outputLocal;

        Verdict verdict = classify(exchange);
        long end = exchange.ending().atNanos();
        Measurements.Timings t = Measurements.compute(exchange.startNanos(), exchange.connectNanos(), exchange.tlsNanos(),
                end, stream.firstTokenNanos(), stream.firstVisibleNanos(), stream.lastTokenNanos(),
                stream.tokenChunkNanos(), outputTokens);
        boolean ok = verdict.outcome() == Outcome.OK;
        String requestId = exchange.requestIdHeader() != null ? exchange.requestIdHeader() : stream.requestId();
        Map<String, Double> timings = new HashMap<>(stream.serverTimings());

        return ProbeResult.newBuilder()
                .setProbeId(UUID.randomUUID().toString())
                .setEndpointId(request.endpointId())
                .setRegion(request.region())
                .setAgentId(request.agentId())
                .setRound(request.round())
                .setScenario(request.scenario())
                .setKind(request.kind())
                .setInputTokensTarget(request.inputTokensTarget())
                .setConcurrency(request.concurrency())
                .setMaxTokens(request.maxTokens())
                .setStartedAtMs(startedAtMs)
                .setOutcome(verdict.outcome().name())
                .setHttpStatus(exchange.status() > 0 ? exchange.status() : null)
                .setError(Errors.scrub(verdict.reason(), secret))
                .setConnectMs(exchange.connectNanos() < 0 ? null : Measurements.ms(exchange.connectNanos()))
                .setTlsMs(exchange.tlsNanos() < 0 ? null : Measurements.ms(exchange.tlsNanos()))
                .setTtftMs(t.ttftMs())
                .setTtftNetMs(t.ttftNetMs())
                .setTtfvMs(t.ttfvMs())
                .setE2eMs(t.e2eMs())
                .setTpotMs(t.tpotMs())
                .setOutputTps(t.outputTps())
                .setGapMsP50(t.gapMsP50())
                .setGapMsP99(t.gapMsP99())
                .setGapMsMax(t.gapMsMax())
                .setOutputTokens(outputTokens)
                .setOutputTokensServer(outputServer)
                .setOutputTokensLocal(outputLocal)
                .setReasoningTokensLocal(reasoningLocal)
                .setInputTokensServer(stream.inputTokensServer())
                .setInputTokensLocal(request.inputTokensLocal())
                .setTokenCountMismatch(Measurements.mismatch(outputServer, outputLocal))
                .setFinishReason(Errors.scrub(stream.finishReason(), secret))
                .setServerRequestId(Errors.scrub(requestId, secret))
                .setServerTimings(timings)
                .setCanaryId(request.canaryId())
                .setResponseSha256(ProbeRequest.CANARY.equals(request.kind()) && ok ? sha256(normalize(visible)) : null)
                .setNeedleContextTokens(request.needleContextTokens())
                .setNeedleFound(ProbeRequest.NEEDLE.equals(request.kind()) && ok ? visible.contains(request.needleCode()) : null)
                .build();
    }

    /** An outcome and its reason, before scrubbing. */
    record Verdict(Outcome outcome, String reason) {
    }

    static Verdict classify(Exchange exchange) {
        if (exchange.ending() instanceof Exchange.Failed failed) {
            return new Verdict(failed.outcome(), failed.reason());
        }
        int status = exchange.status();
        String body = exchange.errorBody() == null ? "" : ": " + Errors.quote(exchange.errorBody());
        if (status == 429) {
            String retry = exchange.retryAfter() == null ? "" : " (retry-after " + exchange.retryAfter() + ")";
            return new Verdict(Outcome.RATE_LIMITED, "HTTP 429" + retry + body);
        }
        if (status < 200 || status > 299) {
            return new Verdict(Outcome.HTTP_ERROR, "HTTP " + status + body);
        }
        StreamRecorder stream = exchange.stream();
        if (stream.complete()) {
            if (stream.finishReason() == null && stream.tokenChunks() == 0 && stream.outputTokensServer() == null) {
                // An end marker after events we could not read anything from (e.g. no choices):
                // calling that OK would publish a zero-token answer as a measurement.
                return new Verdict(Outcome.PROTOCOL_ERROR, "stream ended after " + stream.events()
                        + " events without choices, tokens, usage or a finish reason");
            }
            return new Verdict(Outcome.OK, null);
        }
        String contentType = exchange.contentType();
        if (stream.events() == 0 && contentType != null && !contentType.contains("event-stream")) {
            return new Verdict(Outcome.PROTOCOL_ERROR, "expected a text/event-stream response, got " + contentType);
        }
        return new Verdict(Outcome.TRUNCATED, "stream ended without a finish reason or end marker after "
                + stream.events() + " events");
    }

    /** Canary text normalized so whitespace-only differences do not change the hash. */
    static String normalize(String text) {
        return text.trim().replaceAll("\\s+", " ");
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
