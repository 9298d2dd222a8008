package dev.tokenarena.eval;

import java.util.Objects;

/**
 * One non-streaming chat completion at temperature 0.
 *
 * @param baseUrl API base, e.g. {@code https://api.example/v1}; {@code /chat/completions} is appended
 * @param modelName model name sent in the request
 * @param apiKeyEnv name of the environment variable holding the key, or null for none
 * @param prompt the single user message
 * @param maxTokens {@code max_tokens}, tokens
 * @param topLogprobs alternatives per position to request; 0 asks for no logprobs
 */
public record ChatRequest(String baseUrl, String modelName, String apiKeyEnv, String prompt, int maxTokens,
                          int topLogprobs) {

    public ChatRequest {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(prompt, "prompt");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw new IllegalArgumentException("topLogprobs must be within [0, 20], got " + topLogprobs);
        }
    }
}
