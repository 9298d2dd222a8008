package dev.tokenarena.probe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * A token-by-token read of the one event shape that dominates every OpenAI-compatible stream: an
 * object with an id, a choices array of plain choice objects (delta text or completion text and a
 * finish reason) and no error, usage or timings. Reading it with Jackson's tree model allocated
 * about 2.7 KB per token chunk on the probe's event loop (maps, nodes, a string per field); that
 * garbage was what made the collector pause during first-token bursts.
 *
 * <p>Anything else - an error, usage or timings object, a duplicated choices array, a choice that
 * is not an object, JSON that does not parse - makes {@link #read} return false, and the caller
 * reads the event with the tree, which stays the single definition of every unusual case. Where
 * this reader does accept an event it gives what the tree reading gives: for a repeated key the
 * last value counts (as in a Jackson tree), a field that is not a string reads as absent, and
 * anything after the closing brace is ignored (as {@code ObjectMapper.readTree} does).
 *
 * <p>One instance per parser (so per request), reused across its events; not thread-safe.
 */
final class OpenAiChunk {

    private final JsonFactory factory;
    private final boolean chat;

    /** The chunk's id, or null when absent or not a string. */
    String id;
    /** Visible and reasoning text of all choices, in choice order ("" when none). */
    String visible;
    String reasoning;
    /** Finish reason of each choice, in order (entries may be null); {@link #choices} are valid. */
    String[] finishes = new String[2];
    int choices;

    private final StringBuilder visibleParts = new StringBuilder();
    private final StringBuilder reasoningParts = new StringBuilder();

    OpenAiChunk(JsonFactory factory, boolean chat) {
        this.factory = factory;
        this.chat = chat;
    }

    /** Reads {@code data}; false when the event must be read with the tree model instead. */
    boolean read(String data) {
        id = null;
        visible = "";
        reasoning = "";
        choices = 0;
        visibleParts.setLength(0);
        reasoningParts.setLength(0);
        try (JsonParser p = factory.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean sawChoices = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> id = v == JsonToken.VALUE_STRING ? p.getText() : skip(p);
                    case "choices" -> {
                        if (sawChoices || !(v == JsonToken.START_ARRAY || v == JsonToken.VALUE_NULL)) {
                            return false;
                        }
                        sawChoices = true;
                        if (v == JsonToken.START_ARRAY && !readChoices(p)) {
                            return false;
                        }
                    }
                    case "error", "usage", "timings" -> {
                        if (v != JsonToken.VALUE_NULL) {
                            return false;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        if (choices > 1) {
            visible = visibleParts.toString();
            reasoning = reasoningParts.toString();
        }
        return true;
    }

    private boolean readChoices(JsonParser p) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String content = null;
            String reasoningContent = null;
            String reasoningAlt = null;
            String finish = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (chat && "delta".equals(name)) {
                    // A repeated delta replaces the earlier one, as in the tree.
                    content = null;
                    reasoningContent = null;
                    reasoningAlt = null;
                    if (v != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken fv = p.nextToken();
                        switch (field) {
                            case "content" -> content = text(p, fv);
                            case "reasoning_content" -> reasoningContent = text(p, fv);
                            case "reasoning" -> reasoningAlt = text(p, fv);
                            default -> p.skipChildren();
                        }
                    }
                } else if (!chat && "text".equals(name)) {
                    content = text(p, v);
                } else if ("finish_reason".equals(name)) {
                    finish = text(p, v);
                } else {
                    p.skipChildren();
                }
            }
            addChoice(content, join(reasoningContent, reasoningAlt), finish);
        }
        // Only objects are read here: a scalar or nested array as a choice goes to the tree.
        return t == JsonToken.END_ARRAY;
    }

    private void addChoice(String content, String reasoningText, String finish) {
        if (choices == finishes.length) {
            finishes = java.util.Arrays.copyOf(finishes, choices * 2);
        }
        finishes[choices++] = finish;
        if (choices == 1) {
            visible = content == null ? "" : content;
            reasoning = reasoningText == null ? "" : reasoningText;
        } else if (choices == 2) {
            visibleParts.append(visible);
            reasoningParts.append(reasoning);
        }
        if (choices >= 2) {
            if (content != null) {
                visibleParts.append(content);
            }
            if (reasoningText != null) {
                reasoningParts.append(reasoningText);
            }
        }
    }

    private static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + b;
    }

    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static String skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }
}
