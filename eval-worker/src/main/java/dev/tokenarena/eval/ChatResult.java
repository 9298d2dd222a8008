package dev.tokenarena.eval;

import java.util.List;

/**
 * What came back from one chat completion. Fields other than {@code outcome}, {@code latencyMs}
 * and {@code error} are only meaningful when the outcome is {@link Outcome#OK}.
 *
 * @param outcome how the request ended
 * @param httpStatus the HTTP status, 0 when none was received
 * @param content visible content ({@code choices[0].message.content}), "" when absent
 * @param reasoningContent reasoning output ({@code reasoning_content}), "" when absent
 * @param usage the server's token counts, null when it sent none
 * @param positions generated positions with top alternatives, empty without logprobs
 * @param finishReason {@code choices[0].finish_reason}, null when absent
 * @param latencyMs request latency from send to full body, milliseconds
 * @param error reason for a non-OK outcome (at most 512 chars, never the API key), else null
 */
public record ChatResult(Outcome outcome, int httpStatus, String content, String reasoningContent, Usage usage,
                         List<Position> positions, String finishReason, double latencyMs, String error) {

    public ChatResult {
        positions = List.copyOf(positions);
    }

    /** Server-reported token counts, tokens. */
    public record Usage(int promptTokens, int completionTokens, int reasoningTokens) {
    }

    /** One generated token, its natural-log probability and the top alternatives, most likely first. */
    public record Position(String token, double logprob, List<Alternative> top) {
        public Position {
            top = List.copyOf(top);
        }
    }

    /** One alternative token at a position. */
    public record Alternative(String token, double logprob) {
    }

    static ChatResult failure(Outcome outcome, int status, double latencyMs, String error) {
        return new ChatResult(outcome, status, "", "", null, List.of(), null, latencyMs, error);
    }
}
