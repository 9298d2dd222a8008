package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Recorded streams of real server families, one SSE chunk per network read. The ticker advances
 * 10 ms (10,000,000 ns) per chunk from 0, so chunk k (from 1) arrives at k * 10 ms.
 */
class StreamParserTest {

    static final long MS = 1_000_000L;

    /** Decodes chunks with a real SseDecoder and feeds the parser, as the client pipeline does. */
    static StreamRecorder run(String protocol, List<String> chunks) throws ProbeFailure {
        AtomicLong clock = new AtomicLong();
        SseDecoderTest.Sink sink = new SseDecoderTest.Sink();
        EmbeddedChannel ch = new EmbeddedChannel(new SseDecoder(() -> clock.addAndGet(10 * MS), Limits.defaults()), sink);
        for (String c : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(c.getBytes(StandardCharsets.UTF_8)));
        }
        StreamParser parser = StreamParser.forProtocol(protocol);
        StreamRecorder recorder = new StreamRecorder();
        for (SseEvent e : sink.events()) {
            parser.onEvent(e, recorder);
        }
        return recorder;
    }

    @Test
    void shouldTimeFromFirstContentWhenOpenAiSendsRoleChunkAndSeparateUsageChunk() throws Exception {
        StreamRecorder r = run("openai-chat", List.of(
                "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n",
                "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}],\"usage\":null}\n\n",
                "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":null}],\"usage\":null}\n\n",
                "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
                "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14}}\n\n",
                "data: [DONE]\n\n"));

        // The role chunk (10 ms) carries no token: the first token is chunk 2 at 20 ms, the last chunk 3 at 30 ms.
        assertEquals(20 * MS, r.firstTokenNanos());
        assertEquals(20 * MS, r.firstVisibleNanos());
        assertEquals(30 * MS, r.lastTokenNanos());
        assertEquals("Hello world", r.visibleText());
        assertEquals(12, r.inputTokensServer());
        assertEquals(2, r.outputTokensServer());
        assertEquals("stop", r.finishReason());
        assertEquals("chatcmpl-1", r.requestId());
        assertTrue(r.complete());
    }

    @Test
    void shouldReadUsageFromFinishChunkWhenVllmSendsNoRoleChunk() throws Exception {
        StreamRecorder r = run("openai-chat", List.of(
                "data: {\"id\":\"cmpl-v\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":null}]}\n\n",
                "data: {\"id\":\"cmpl-v\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"B\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n",
                "data: [DONE]\n\n"));

        // No role chunk: the first chunk (10 ms) is already a token; the finish chunk (20 ms) carries one too.
        assertEquals(10 * MS, r.firstTokenNanos());
        assertEquals(20 * MS, r.lastTokenNanos());
        assertEquals(2, r.outputTokensServer());
        assertEquals("length", r.finishReason());
        assertEquals(2, r.tokenChunkNanos().length);
    }

    @Test
    void shouldKeepServerTimingsWhenLlamaCppReportsThem() throws Exception {
        StreamRecorder r = run("openai-chat", List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n",
                "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1},"
                        + "\"timings\":{\"prompt_n\":9,\"prompt_ms\":12.5,\"predicted_n\":1,\"predicted_ms\":3.25,\"predicted_per_second\":307.7}}\n\n",
                "data: [DONE]\n\n"));

        assertEquals(Map.of("prompt_n", 9.0, "prompt_ms", 12.5, "predicted_n", 1.0, "predicted_ms", 3.25,
                "predicted_per_second", 307.7), r.serverTimings());
        assertNull(r.requestId(), "llama.cpp sends no id here");
    }

    @Test
    void shouldSeparateReasoningWhenDeltasCarryReasoningContent() throws Exception {
        StreamRecorder r = run("openai-chat", List.of(
                "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Let me think\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\" more\"}}]}\n\n",
                "data: {\"choices\":[{\"delta\":{\"content\":\"42\"},\"finish_reason\":\"stop\"}]}\n\n"));

        // TTFT counts reasoning (10 ms), TTFV waits for visible content (30 ms).
        assertEquals(10 * MS, r.firstTokenNanos());
        assertEquals(30 * MS, r.firstVisibleNanos());
        assertEquals("Let me think more", r.reasoningText());
        assertEquals("42", r.visibleText());
        assertTrue(r.complete(), "a finish reason without [DONE] is a complete stream");
    }

    @Test
    void shouldReadTextWhenProtocolIsOpenAiCompletions() throws Exception {
        StreamRecorder r = run("openai-completions", List.of(
                "data: {\"id\":\"cmpl-c\",\"choices\":[{\"text\":\"Once\",\"index\":0,\"finish_reason\":null}]}\n\n",
                "data: {\"id\":\"cmpl-c\",\"choices\":[{\"text\":\" upon\",\"index\":0,\"finish_reason\":\"length\"}]}\n\n",
                "data: {\"id\":\"cmpl-c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n",
                "data: [DONE]\n\n"));

        assertEquals("Once upon", r.visibleText());
        assertEquals(2, r.outputTokensServer());
        assertEquals("length", r.finishReason());
    }

    @Test
    void shouldCountThinkingAsReasoningWhenAnthropicStreamsThinkingBlocks() throws Exception {
        StreamRecorder r = run("anthropic-messages", List.of(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Two plus two\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"abc\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: ping\ndata: {\"type\": \"ping\"}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"4\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

        // thinking_delta is chunk 3 (30 ms); the text_delta is chunk 8 (80 ms); signature and ping carry no token.
        assertEquals(30 * MS, r.firstTokenNanos());
        assertEquals(80 * MS, r.firstVisibleNanos());
        assertEquals(80 * MS, r.lastTokenNanos());
        assertEquals(2, r.tokenChunkNanos().length);
        assertEquals("Two plus two", r.reasoningText());
        assertEquals("4", r.visibleText());
        assertEquals(25, r.inputTokensServer());
        assertEquals(9, r.outputTokensServer(), "message_delta's final count replaces message_start's 1");
        assertEquals("end_turn", r.finishReason());
        assertEquals("msg_01", r.requestId());
        assertTrue(r.complete());
    }

    @Test
    void shouldNotBeCompleteWhenStreamStopsBeforeFinish() throws Exception {
        StreamRecorder r = run("openai-chat", List.of(
                "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"));

        assertFalse(r.complete());
        assertEquals(1, r.events());
    }

    @Test
    void shouldRaiseProtocolErrorWhenDataIsNotJson() {
        ProbeFailure f = assertThrows(ProbeFailure.class,
                () -> run("openai-chat", List.of("data: {not json\n\n")));
        assertEquals(Outcome.PROTOCOL_ERROR, f.outcome());
        assertEquals("event data is not JSON: {not json", f.getMessage());
    }

    @Test
    void shouldRaiseRateLimitedWhenAnthropicSendsOverloadedErrorEvent() {
        ProbeFailure f = assertThrows(ProbeFailure.class, () -> run("anthropic-messages", List.of(
                "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Slow down\"}}\n\n")));
        assertEquals(Outcome.RATE_LIMITED, f.outcome());
        assertEquals("error in stream: Slow down", f.getMessage());
    }
}
