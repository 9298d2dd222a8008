package dev.tokenarena.probe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a protocol parser learned from one response stream: token arrival times, the text (visible
 * and reasoning kept apart), the server's usage, finish reason, request id and timings. Confined
 * to the channel's event loop while the stream runs, read after it completes.
 */
final class StreamRecorder {

    private long firstTokenNanos = -1;
    private long firstVisibleNanos = -1;
    private long lastTokenNanos = -1;
    private long[] tokenChunkNanos = new long[64];
    private int tokenChunks;
    private final StringBuilder visible = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private Integer inputTokensServer;
    private Integer outputTokensServer;
    private String finishReason;
    private String requestId;
    private final Map<String, Double> serverTimings = new LinkedHashMap<>();
    private boolean done;
    private int events;

    void event() {
        events++;
    }

    /** One event's worth of tokens; an event with no text (role chunk, usage chunk) is not a token. */
    void tokens(long nanos, String visibleText, String reasoningText) {
        boolean hasVisible = visibleText != null && !visibleText.isEmpty();
        boolean hasReasoning = reasoningText != null && !reasoningText.isEmpty();
        if (!hasVisible && !hasReasoning) {
            return;
        }
        if (firstTokenNanos < 0) {
            firstTokenNanos = nanos;
        }
        if (hasVisible) {
            visible.append(visibleText);
            if (firstVisibleNanos < 0) {
                firstVisibleNanos = nanos;
            }
        }
        if (hasReasoning) {
            reasoning.append(reasoningText);
        }
        lastTokenNanos = nanos;
        if (tokenChunks == tokenChunkNanos.length) {
            tokenChunkNanos = Arrays.copyOf(tokenChunkNanos, tokenChunks * 2);
        }
        tokenChunkNanos[tokenChunks++] = nanos;
    }

    /** The server's token counts; a negative count is a broken server, not a number to publish. */
    void usage(Integer input, Integer output) throws ProbeFailure {
        if ((input != null && input < 0) || (output != null && output < 0)) {
            throw new ProbeFailure(Outcome.PROTOCOL_ERROR, "usage reports negative token counts (input " + input
                    + ", output " + output + ")");
        }
        if (input != null) {
            inputTokensServer = input;
        }
        if (output != null) {
            outputTokensServer = output;
        }
    }

    void finish(String reason) {
        if (reason != null && !reason.isEmpty()) {
            finishReason = reason;
        }
    }

    void requestId(String id) {
        if (requestId == null && id != null && !id.isEmpty()) {
            requestId = id;
        }
    }

    void timing(String name, double value) {
        serverTimings.put(name, value);
    }

    void done() {
        done = true;
    }

    /** Whether the end marker ([DONE], message_stop) arrived: nothing after it is part of the answer. */
    boolean ended() {
        return done;
    }

    /** A stream is complete when the server said so: a finish/stop reason or the end marker. */
    boolean complete() {
        return done || finishReason != null;
    }

    long firstTokenNanos() {
        return firstTokenNanos;
    }

    long firstVisibleNanos() {
        return firstVisibleNanos;
    }

    long lastTokenNanos() {
        return lastTokenNanos;
    }

    long[] tokenChunkNanos() {
        return Arrays.copyOf(tokenChunkNanos, tokenChunks);
    }

    String visibleText() {
        return visible.toString();
    }

    String reasoningText() {
        return reasoning.toString();
    }

    Integer inputTokensServer() {
        return inputTokensServer;
    }

    int tokenChunks() {
        return tokenChunks;
    }

    Integer outputTokensServer() {
        return outputTokensServer;
    }

    String finishReason() {
        return finishReason;
    }

    String requestId() {
        return requestId;
    }

    Map<String, Double> serverTimings() {
        return Map.copyOf(serverTimings);
    }

    int events() {
        return events;
    }
}
