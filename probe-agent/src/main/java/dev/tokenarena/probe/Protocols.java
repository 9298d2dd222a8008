package dev.tokenarena.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.v1.Endpoint;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Request bodies and headers per protocol. Always {@code stream: true} and {@code max_tokens};
 * never {@code ignore_eos}, so a model that stops early is measured as it serves users.
 */
final class Protocols {

    static final String ANTHROPIC_VERSION = "2023-06-01";

    private Protocols() {
    }

    /**
     * The streaming call for one prompt. {@code temperature} null leaves the server default.
     * {@code apiKey} null sends no credentials (self-hosted endpoints).
     */
    static HttpCall call(Endpoint endpoint, String apiKey, String prompt, int maxTokens, Double temperature) {
        ObjectNode body = StreamParser.JSON.createObjectNode();
        body.put("model", endpoint.getModelName());
        Map<String, String> headers = new LinkedHashMap<>();
        String path;
        switch (endpoint.getProtocol()) {
            case "openai-chat" -> {
                path = "/chat/completions";
                body.putArray("messages").addObject().put("role", "user").put("content", prompt);
                openAiCommon(body, maxTokens);
                bearer(headers, apiKey);
            }
            case "openai-completions" -> {
                path = "/completions";
                body.put("prompt", prompt);
                openAiCommon(body, maxTokens);
                bearer(headers, apiKey);
            }
            case "anthropic-messages" -> {
                path = "/messages";
                body.put("max_tokens", maxTokens);
                body.put("stream", true);
                body.putArray("messages").addObject().put("role", "user").put("content", prompt);
                headers.put("anthropic-version", ANTHROPIC_VERSION);
                if (apiKey != null) {
                    headers.put("x-api-key", apiKey);
                }
            }
            default -> throw new IllegalArgumentException("unknown protocol '" + endpoint.getProtocol() + "'");
        }
        if (temperature != null) {
            body.put("temperature", temperature);
        }
        String base = endpoint.getBaseUrl().endsWith("/")
                ? endpoint.getBaseUrl().substring(0, endpoint.getBaseUrl().length() - 1) : endpoint.getBaseUrl();
        try {
            return new HttpCall(URI.create(base + path), headers, StreamParser.JSON.writeValueAsBytes(body), apiKey);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    private static void openAiCommon(ObjectNode body, int maxTokens) {
        body.put("max_tokens", maxTokens);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
    }

    private static void bearer(Map<String, String> headers, String apiKey) {
        if (apiKey != null) {
            headers.put("Authorization", "Bearer " + apiKey);
        }
    }
}
