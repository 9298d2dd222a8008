package dev.tokenarena.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads one protocol's streamed events into a {@link StreamRecorder}. One instance per request:
 * parsers may keep state between events.
 */
interface StreamParser {

    ObjectMapper JSON = new ObjectMapper();

    void onEvent(SseEvent event, StreamRecorder recorder) throws ProbeFailure;

    /** A fresh parser for a catalogue protocol name. */
    static StreamParser forProtocol(String protocol) {
        return switch (protocol) {
            case "openai-chat" -> new OpenAiParser(true);
            case "openai-completions" -> new OpenAiParser(false);
            case "anthropic-messages" -> new AnthropicParser();
            default -> throw new IllegalArgumentException("unknown protocol '" + protocol + "'");
        };
    }

    static JsonNode parse(SseEvent event) throws ProbeFailure {
        try {
            JsonNode node = JSON.readTree(event.data());
            if (node == null || !node.isObject()) {
                throw new ProbeFailure(Outcome.PROTOCOL_ERROR, "event data is not a JSON object: " + Errors.quote(event.data()));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ProbeFailure(Outcome.PROTOCOL_ERROR, "event data is not JSON: " + Errors.quote(event.data()));
        }
    }

    /** An error object sent inside a 200 stream (OpenAI-compatible servers and Anthropic both do this). */
    static ProbeFailure streamError(JsonNode error) {
        String message = error.isObject() ? error.path("message").asText(error.toString()) : error.asText();
        Outcome outcome = error.path("type").asText().contains("rate_limit") || error.path("code").asInt() == 429
                ? Outcome.RATE_LIMITED : Outcome.HTTP_ERROR;
        return new ProbeFailure(outcome, "error in stream: " + message);
    }

    static String text(JsonNode node) {
        return node == null || !node.isTextual() ? null : node.asText();
    }

    static Integer integer(JsonNode node) {
        return node == null || !node.canConvertToInt() || !node.isNumber() ? null : node.asInt();
    }

    /**
     * OpenAI-compatible chat and completions streams, including the variants of vLLM, SGLang and
     * llama.cpp: an optional first role chunk, usage on the finish chunk or in a separate last
     * chunk with empty choices, reasoning as {@code reasoning_content} (or {@code reasoning}), and
     * llama.cpp's {@code timings} object.
     */
    final class OpenAiParser implements StreamParser {

        private final boolean chat;
        private final OpenAiChunk chunk;

        OpenAiParser(boolean chat) {
            this(chat, true);
        }

        /** {@code fastPath} false reads every event with the tree (tests compare the two readings). */
        OpenAiParser(boolean chat, boolean fastPath) {
            this.chat = chat;
            this.chunk = fastPath ? new OpenAiChunk(JSON.getFactory(), chat) : null;
        }

        @Override
        public void onEvent(SseEvent event, StreamRecorder recorder) throws ProbeFailure {
            recorder.event();
            if ("[DONE]".equals(event.data().trim())) {
                recorder.done();
                return;
            }
            if (chunk != null && chunk.read(event.data())) {
                // The common token chunk, read without building a tree; same calls as below.
                recorder.requestId(chunk.id);
                for (int i = 0; i < chunk.choices; i++) {
                    recorder.finish(chunk.finishes[i]);
                }
                recorder.tokens(event.nanos(), chunk.visible, chunk.reasoning);
                return;
            }
            JsonNode root = parse(event);
            if (root.hasNonNull("error")) {
                throw streamError(root.get("error"));
            }
            recorder.requestId(text(root.get("id")));
            StringBuilder visible = new StringBuilder();
            StringBuilder reasoning = new StringBuilder();
            JsonNode choices = root.path("choices");
            for (JsonNode choice : choices) {
                if (chat) {
                    JsonNode delta = choice.path("delta");
                    appendText(visible, delta.get("content"));
                    appendText(reasoning, delta.get("reasoning_content"));
                    appendText(reasoning, delta.get("reasoning"));
                } else {
                    appendText(visible, choice.get("text"));
                }
                recorder.finish(text(choice.get("finish_reason")));
            }
            recorder.tokens(event.nanos(), visible.toString(), reasoning.toString());
            JsonNode usage = root.get("usage");
            if (usage != null && usage.isObject()) {
                recorder.usage(integer(usage.get("prompt_tokens")), integer(usage.get("completion_tokens")));
            }
            JsonNode timings = root.get("timings");
            if (timings != null && timings.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = timings.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> t = it.next();
                    if (t.getValue().isNumber()) {
                        recorder.timing(t.getKey(), t.getValue().asDouble());
                    }
                }
            }
        }

        private static void appendText(StringBuilder sb, JsonNode node) {
            String s = text(node);
            if (s != null) {
                sb.append(s);
            }
        }
    }

    /**
     * Anthropic Messages streams: message_start (id, input usage), content blocks of type text or
     * thinking with their deltas, message_delta (stop_reason, output usage), message_stop, ping
     * and error events.
     */
    final class AnthropicParser implements StreamParser {

        private final AnthropicDelta deltaReader;

        AnthropicParser() {
            this(true);
        }

        /** {@code fastPath} false reads every event with the tree (tests compare the two readings). */
        AnthropicParser(boolean fastPath) {
            this.deltaReader = fastPath ? new AnthropicDelta(JSON.getFactory()) : null;
        }

        @Override
        public void onEvent(SseEvent event, StreamRecorder recorder) throws ProbeFailure {
            recorder.event();
            if (deltaReader != null && deltaReader.read(event.data(), event.event())) {
                // The token-bearing delta, read without building a tree; same call as below.
                if (deltaReader.text != null || deltaReader.thinking != null) {
                    recorder.tokens(event.nanos(), deltaReader.text, deltaReader.thinking);
                }
                return;
            }
            JsonNode root = parse(event);
            String type = root.path("type").asText(event.event());
            switch (type) {
                case "message_start" -> {
                    JsonNode message = root.path("message");
                    recorder.requestId(text(message.get("id")));
                    usage(message.path("usage"), recorder);
                }
                case "content_block_start" -> {
                    // A block may open with text already in it.
                    JsonNode block = root.path("content_block");
                    recorder.tokens(event.nanos(), text(block.get("text")), text(block.get("thinking")));
                }
                case "content_block_delta" -> {
                    JsonNode delta = root.path("delta");
                    switch (delta.path("type").asText()) {
                        case "text_delta" -> recorder.tokens(event.nanos(), text(delta.get("text")), null);
                        case "thinking_delta" -> recorder.tokens(event.nanos(), null, text(delta.get("thinking")));
                        default -> {
                            // signature_delta, input_json_delta: not generated text we time.
                        }
                    }
                }
                case "message_delta" -> {
                    recorder.finish(text(root.path("delta").get("stop_reason")));
                    usage(root.path("usage"), recorder);
                }
                case "message_stop" -> recorder.done();
                case "error" -> throw streamError(root.path("error"));
                default -> {
                    // ping, content_block_stop and future event types carry nothing we measure.
                }
            }
        }

        private static void usage(JsonNode usage, StreamRecorder recorder) throws ProbeFailure {
            if (usage.isObject()) {
                Integer input = integer(usage.get("input_tokens"));
                Integer output = integer(usage.get("output_tokens"));
                // message_start reports output_tokens of 1 or 0 before anything was generated; the
                // final figure arrives with message_delta and overwrites it.
                recorder.usage(input, output);
            }
        }
    }
}
