package dev.tokenarena.probe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * A token-by-token read of the Anthropic event that carries the generated text,
 * {@code content_block_delta} with a {@code text_delta} or {@code thinking_delta}: the
 * {@link OpenAiChunk} of the Messages protocol, for the same reason (no tree, so no garbage per
 * token on the event loop). Every other event, and any shape it does not know for sure, makes
 * {@link #read} return false and goes to the tree reading; where it does accept an event it
 * gives what the tree gives (the last of a repeated key counts, a non-string reads as absent).
 * One instance per parser; not thread-safe.
 */
final class AnthropicDelta {

    private final JsonFactory factory;

    /** Visible text of the delta, or null. */
    String text;
    /** Reasoning (thinking) text of the delta, or null. */
    String thinking;

    AnthropicDelta(JsonFactory factory) {
        this.factory = factory;
    }

    /** Reads {@code data} of an SSE event named {@code eventName}; false when the tree must read it. */
    boolean read(String data, String eventName) {
        text = null;
        thinking = null;
        String type = null;
        boolean typeSeen = false;
        String deltaType = null;
        String deltaText = null;
        String deltaThinking = null;
        try (JsonParser p = factory.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("type".equals(name)) {
                    if (v != JsonToken.VALUE_STRING) {
                        return false; // a null or non-string type: the tree's default rules apply
                    }
                    type = p.getText();
                    typeSeen = true;
                } else if ("delta".equals(name)) {
                    if (v != JsonToken.START_OBJECT) {
                        return false;
                    }
                    deltaType = null;
                    deltaText = null;
                    deltaThinking = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken fv = p.nextToken();
                        String s = fv == JsonToken.VALUE_STRING ? p.getText() : null;
                        if (s == null) {
                            p.skipChildren();
                        }
                        switch (field) {
                            case "type" -> {
                                if (s == null) {
                                    return false;
                                }
                                deltaType = s;
                            }
                            case "text" -> deltaText = s;
                            case "thinking" -> deltaThinking = s;
                            default -> {
                                // other delta fields carry nothing we time
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        if (!"content_block_delta".equals(typeSeen ? type : eventName) || deltaType == null) {
            return false;
        }
        if ("text_delta".equals(deltaType)) {
            text = deltaText;
        } else if ("thinking_delta".equals(deltaType)) {
            thinking = deltaThinking;
        }
        return true;
    }
}
