package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming read of Anthropic text deltas must give what the tree gives, and be used for them. */
class AnthropicDeltaTest {

    private static final String TEXT = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}";
    private static final String THINKING = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}";
    private static final String SIGNATURE = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"abc\"}}";

    @Test
    void shouldReadTextAndThinkingDeltasWithoutTheTree() {
        AnthropicDelta d = new AnthropicDelta(StreamParser.JSON.getFactory());
        assertTrue(d.read(TEXT, "content_block_delta"));
        assertEquals("Hello", d.text);
        assertTrue(d.read(THINKING, "content_block_delta"));
        assertEquals("hmm", d.thinking);
        assertTrue(d.read(SIGNATURE, "content_block_delta"));
        assertEquals(null, d.text);
        // The other events go to the tree.
        assertFalse(d.read("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":5}}}", "message_start"));
        assertFalse(d.read("{\"type\":\"ping\"}", "ping"));
        assertFalse(d.read("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}", "error"));
    }

    @Test
    void shouldGiveWhatTheTreeGivesForRealOddAndGeneratedEvents() {
        List<String[]> events = new ArrayList<>();
        for (String data : List.of(TEXT, THINKING, SIGNATURE,
                "{\"delta\":{\"type\":\"text_delta\",\"text\":\"no type field\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\",\"text\":\"b\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":7}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\"},\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"t\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"},\"delta\":{\"type\":\"text_delta\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":\"text\"}",
                "{\"type\":null,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":null,\"text\":\"x\"}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":12}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"Hi\"}}",
                "{\"type\":\"message_stop\"}", "not json", "[]")) {
            for (String name : List.of("content_block_delta", "message_delta", "message")) {
                events.add(new String[] {name, data});
            }
        }
        Random random = new Random(20261203L);
        String[] values = {"\"tok\"", "\"\"", "null", "3", "{\"k\":[1]}", "\"text_delta\"", "\"thinking_delta\"", "\"content_block_delta\""};
        for (int n = 0; n < 2_000; n++) {
            StringBuilder sb = new StringBuilder("{");
            int fields = random.nextInt(4);
            for (int f = 0; f < fields; f++) {
                String key = new String[] {"type", "index", "delta"}[random.nextInt(3)];
                sb.append(f > 0 ? "," : "").append('"').append(key).append("\":");
                if (key.equals("delta") && random.nextInt(4) > 0) {
                    sb.append('{');
                    for (int d = random.nextInt(4); d > 0; d--) {
                        String dk = new String[] {"type", "text", "thinking", "signature"}[random.nextInt(4)];
                        sb.append('"').append(dk).append("\":").append(values[random.nextInt(values.length)]).append(d > 1 ? "," : "");
                    }
                    sb.append('}');
                } else if (key.equals("type") && random.nextInt(3) > 0) {
                    sb.append("\"content_block_delta\"");
                } else {
                    sb.append(values[random.nextInt(values.length)]);
                }
            }
            events.add(new String[] {random.nextBoolean() ? "content_block_delta" : "message", sb.append('}').toString()});
        }
        for (String[] e : events) {
            assertEquals(reading(false, e[0], e[1]), reading(true, e[0], e[1]), e[0] + ": " + e[1]);
        }
    }

    private static String reading(boolean fastPath, String name, String data) {
        StreamRecorder r = new StreamRecorder();
        try {
            new StreamParser.AnthropicParser(fastPath).onEvent(new SseEvent(name, data, 5L), r);
        } catch (ProbeFailure f) {
            return "failure " + f.outcome() + ": " + f.getMessage();
        }
        return "id=" + r.requestId() + " finish=" + r.finishReason() + " visible=" + r.visibleText() + " reasoning="
                + r.reasoningText() + " first=" + r.firstTokenNanos() + " firstVisible=" + r.firstVisibleNanos()
                + " in=" + r.inputTokensServer() + " out=" + r.outputTokensServer() + " done=" + r.ended();
    }
}
