package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming read of common OpenAI chunks must give exactly what the tree reading gives, and
 * must actually be used for the chunks real servers send (or it saves nothing).
 */
class OpenAiChunkTest {

    private static final List<String> REAL_CHUNKS = List.of(
            // vLLM chat: role chunk, token chunk, finish chunk
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}",
            // SGLang / OpenAI with usage:null on every chunk
            "{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"usage\":null}",
            // reasoning servers
            "{\"id\":\"r\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"think\"},\"finish_reason\":null}]}",
            "{\"id\":\"r\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"think\",\"content\":null}}]}",
            // llama.cpp chunk without timings yet, and with a nested logprobs object
            "{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"a\"}}],\"created\":1,\"id\":\"chatcmpl-l\",\"model\":\"g\",\"system_fingerprint\":\"b1\",\"object\":\"chat.completion.chunk\"}",
            "{\"id\":\"lp\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"logprobs\":{\"content\":[{\"token\":\"b\",\"logprob\":-0.1,\"top_logprobs\":[{\"token\":\"b\",\"logprob\":-0.1}]}]}}]}",
            // completions
            "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" once\",\"logprobs\":null,\"finish_reason\":null}]}");

    private static final List<String> TREE_CHUNKS = List.of(
            "{\"id\":\"u\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}",
            "{\"error\":{\"message\":\"overloaded\",\"type\":\"rate_limit\"}}",
            "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"timings\":{\"predicted_ms\":12.5}}",
            "{\"choices\":{\"delta\":{\"content\":\"x\"}}}",
            "{\"choices\":[\"x\"]}",
            "{\"choices\":[],\"choices\":[{\"delta\":{\"content\":\"x\"}}]}",
            "[1,2]",
            "{\"id\":",
            "not json");

    @Test
    void shouldReadTheChunksRealServersSendWithoutTheTree() {
        OpenAiChunk chat = new OpenAiChunk(StreamParser.JSON.getFactory(), true);
        for (String c : REAL_CHUNKS) {
            assertTrue(chat.read(c) || c.contains("text_completion"), c);
        }
        OpenAiChunk completions = new OpenAiChunk(StreamParser.JSON.getFactory(), false);
        assertTrue(completions.read(REAL_CHUNKS.get(REAL_CHUNKS.size() - 1)));
        assertEquals(" once", completions.visible);
    }

    @Test
    void shouldLeaveErrorsUsageTimingsAndOddShapesToTheTree() {
        OpenAiChunk chat = new OpenAiChunk(StreamParser.JSON.getFactory(), true);
        for (String c : TREE_CHUNKS) {
            assertFalse(chat.read(c), c);
        }
    }

    @Test
    void shouldGiveWhatTheTreeGivesForRealAndOddChunks() {
        List<String> all = new ArrayList<>(REAL_CHUNKS);
        all.addAll(TREE_CHUNKS);
        all.addAll(List.of(
                "{\"id\":\"a\",\"id\":\"b\",\"choices\":[{\"delta\":{\"content\":\"1\",\"content\":\"2\"},\"finish_reason\":\"stop\",\"finish_reason\":null}]}",
                "{\"id\":7,\"choices\":[{\"delta\":{\"content\":5,\"reasoning_content\":[\"r\"]}},{\"delta\":{\"content\":\"z\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"p\"},\"delta\":{\"reasoning\":\"q\"}}]}",
                "{\"choices\":[{\"delta\":\"text\",\"text\":\"t\",\"finish_reason\":\"stop\"}]}",
                "{\"choices\":null,\"error\":null,\"usage\":null,\"timings\":null}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\",\"reasoning_content\":\"b\",\"reasoning\":\"c\"}},{\"delta\":{\"content\":\"d\",\"reasoning\":\"e\"}},{\"text\":\"f\"}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} trailing",
                "{\"error\":{\"message\":\"m\"},\"error\":null,\"choices\":[]}"));
        for (boolean chat : new boolean[] {true, false}) {
            for (String c : all) {
                assertEquals(reading(chat, false, c), reading(chat, true, c), (chat ? "chat: " : "completions: ") + c);
            }
        }
    }

    @Test
    void shouldGiveWhatTheTreeGivesForGeneratedChunks() {
        // Seeded: chunks assembled from fields real servers send, plus repeats, nulls, numbers and
        // nested values where strings belong. A failure prints the chunk.
        Random random = new Random(20261203L);
        String[] values = {"\"tok\"", "\"\"", "null", "12", "true", "{\"k\":[1,{\"z\":null}]}", "[\"a\",\"b\"]", "\"\\u00e9\\n\""};
        for (int n = 0; n < 2_000; n++) {
            StringBuilder sb = new StringBuilder("{");
            int fields = random.nextInt(5);
            for (int f = 0; f < fields; f++) {
                String key = new String[] {"id", "model", "choices", "object", "usage"}[random.nextInt(5)];
                sb.append(f > 0 ? "," : "").append('"').append(key).append("\":");
                if (key.equals("choices") && random.nextInt(4) > 0) {
                    sb.append('[');
                    int k = random.nextInt(3);
                    for (int c = 0; c < k; c++) {
                        sb.append(c > 0 ? "," : "").append("{\"index\":").append(c);
                        for (int e = random.nextInt(4); e > 0; e--) {
                            String ck = new String[] {"delta", "text", "finish_reason", "logprobs"}[random.nextInt(4)];
                            sb.append(",\"").append(ck).append("\":");
                            if (ck.equals("delta") && random.nextBoolean()) {
                                sb.append('{');
                                for (int d = random.nextInt(4); d > 0; d--) {
                                    String dk = new String[] {"content", "reasoning_content", "reasoning", "role"}[random.nextInt(4)];
                                    sb.append('"').append(dk).append("\":").append(values[random.nextInt(values.length)]);
                                    sb.append(d > 1 ? "," : "");
                                }
                                sb.append('}');
                            } else {
                                sb.append(values[random.nextInt(values.length)]);
                            }
                        }
                        sb.append('}');
                    }
                    sb.append(']');
                } else {
                    sb.append(values[random.nextInt(values.length)]);
                }
            }
            String c = sb.append('}').toString();
            for (boolean chat : new boolean[] {true, false}) {
                assertEquals(reading(chat, false, c), reading(chat, true, c), c);
            }
        }
    }

    /** Everything the recorder keeps after one event (or the failure), as one comparable string. */
    private static String reading(boolean chat, boolean fastPath, String data) {
        StreamRecorder r = new StreamRecorder();
        try {
            new StreamParser.OpenAiParser(chat, fastPath).onEvent(new SseEvent("message", data, 5L), r);
        } catch (ProbeFailure e) {
            return "failure " + e.outcome() + ": " + e.getMessage();
        }
        return "id=" + r.requestId() + " finish=" + r.finishReason() + " visible=" + r.visibleText() + " reasoning="
                + r.reasoningText() + " first=" + r.firstTokenNanos() + " firstVisible=" + r.firstVisibleNanos()
                + " in=" + r.inputTokensServer() + " out=" + r.outputTokensServer() + " timings=" + r.serverTimings();
    }
}
