package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    /** Collects what the decoder emits and the failure it raises. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        final List<Object> out = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            out.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }

        List<SseEvent> events() {
            return out.stream().filter(SseEvent.class::isInstance).map(SseEvent.class::cast).toList();
        }
    }

    private final AtomicLong clock = new AtomicLong(1_000);
    // Each chunk handed over reads the ticker once: chunk k is stamped 1000 + 10 * k.
    private final dev.tokenarena.schemas.time.Ticker ticker = () -> clock.addAndGet(10);
    private final Sink sink = new Sink();

    private EmbeddedChannel channel(Limits limits) {
        return new EmbeddedChannel(new SseDecoder(ticker, limits), sink);
    }

    private static ByteBuf bytes(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    private static ByteBuf text(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDecodeMultiByteCharacterWhenItIsSplitAcrossChunks() {
        EmbeddedChannel ch = channel(Limits.defaults());
        // "é" is C3 A9 and "😀" is F0 9F 98 80: cut both in the middle of their bytes.
        byte[] all = "data: caf\u00e9 \uD83D\uDE00\n\n".getBytes(StandardCharsets.UTF_8);
        int cutInE = "data: caf".length() + 1;
        int cutInEmoji = cutInE + 1 + 1 + 2;
        ch.writeInbound(bytes(Arrays.copyOfRange(all, 0, cutInE)));
        ch.writeInbound(bytes(Arrays.copyOfRange(all, cutInE, cutInEmoji)));
        ch.writeInbound(bytes(Arrays.copyOfRange(all, cutInEmoji, all.length)));

        assertEquals(List.of("caf\u00e9 \uD83D\uDE00"), sink.events().stream().map(SseEvent::data).toList());
        // The event completed in the third chunk: stamped 1000 + 3 * 10.
        assertEquals(1_030, sink.events().get(0).nanos());
    }

    @Test
    void shouldSplitLinesWhenCrlfIsCutBetweenChunks() {
        EmbeddedChannel ch = channel(Limits.defaults());
        ch.writeInbound(text("data: one\r"));
        ch.writeInbound(text("\n\r\ndata: two\r\n"));
        ch.writeInbound(text("\r\n"));
        // A CR alone also ends a line (SSE allows CR, LF and CRLF).
        ch.writeInbound(text("data: three\r\r"));

        assertEquals(List.of("one", "two", "three"), sink.events().stream().map(SseEvent::data).toList());
        assertTrue(sink.errors.isEmpty());
    }

    @Test
    void shouldJoinDataLinesAndSkipCommentsWhenEventHasSeveral() {
        EmbeddedChannel ch = channel(Limits.defaults());
        ch.writeInbound(text(": keep-alive\n\nevent: content_block_delta\ndata: {\"a\":\ndata:1}\nid: 7\n\n"));

        List<SseEvent> events = sink.events();
        assertEquals(1, events.size());
        assertEquals("content_block_delta", events.get(0).event());
        // "data:1" has no space after the colon: the value is "1"; lines join with LF.
        assertEquals("{\"a\":\n1}", events.get(0).data());
    }

    @Test
    void shouldDeliverLastEventWhenStreamEndsWithoutBlankLine() {
        EmbeddedChannel ch = channel(Limits.defaults());
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.writeInbound(new DefaultHttpContent(text("data: x\n\ndata: [DONE]")));
        ch.writeInbound(new DefaultLastHttpContent());

        assertEquals(List.of("x", "[DONE]"), sink.events().stream().map(SseEvent::data).toList());
        // The end marker is stamped with the arrival of the last chunk: third chunk read, 1000 + 2 * 10.
        SseEvent.End end = (SseEvent.End) sink.out.get(sink.out.size() - 1);
        assertEquals(1_020, end.nanos());
    }

    @Test
    void shouldFailNamingTheLimitWhenLineExceedsMaxLineBytes() {
        Limits limits = new Limits(1000, 1000, 1000, 64, 128, 10_000);
        EmbeddedChannel ch = channel(limits);
        // 40 + 40 = 80 bytes without a newline: over the 64-byte line limit in the second chunk.
        ch.writeInbound(text("data: " + "a".repeat(34)));
        ch.writeInbound(text("b".repeat(40)));
        ch.writeInbound(text("\n\ndata: ignored\n\n"));

        assertEquals(1, sink.errors.size());
        ProbeFailure f = assertInstanceOf(ProbeFailure.class, sink.errors.get(0));
        assertEquals(Outcome.LIMIT_EXCEEDED, f.outcome());
        assertEquals("line exceeds max.line.bytes=64", f.getMessage());
        assertTrue(sink.events().isEmpty(), "nothing is decoded after a limit is hit");
    }

    @Test
    void shouldFailNamingTheLimitWhenEventExceedsMaxEventBytes() {
        Limits limits = new Limits(1000, 1000, 1000, 64, 100, 10_000);
        EmbeddedChannel ch = channel(limits);
        // Each data line adds its 40-byte value + 1 LF = 41 bytes: 41, 82, 123 > 100 on the third.
        String line = "data: " + "x".repeat(40) + "\n";
        ch.writeInbound(text(line + line + line + "\n"));

        ProbeFailure f = assertInstanceOf(ProbeFailure.class, sink.errors.get(0));
        assertEquals("event exceeds max.event.bytes=100", f.getMessage());
        assertTrue(sink.events().isEmpty());
    }

    @Test
    void shouldFailWhenBodyExceedsMaxResponseBytes() {
        Limits limits = new Limits(1000, 1000, 1000, 64, 64, 100);
        EmbeddedChannel ch = channel(limits);
        // 10 chunks of "data: 12345\n\n" (13 bytes) = 130 bytes: the 8th chunk crosses 100 (8 * 13 = 104).
        for (int i = 0; i < 10; i++) {
            ch.writeInbound(text("data: 12345\n\n"));
        }
        assertEquals(7, sink.events().size());
        assertEquals("response exceeds max.response.bytes=100", sink.errors.get(0).getMessage());
    }

    @Test
    void shouldPassBodyThroughWhenStatusIsNotSuccess() {
        EmbeddedChannel ch = channel(Limits.defaults());
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS));
        ch.writeInbound(new DefaultLastHttpContent(text("data: {\"error\":\"slow down\"}\n\n")));

        assertTrue(sink.events().isEmpty());
        HttpContent content = (HttpContent) sink.out.get(1);
        assertEquals("data: {\"error\":\"slow down\"}\n\n", content.content().toString(StandardCharsets.UTF_8));
        content.release();
        assertFalse(ch.finish());
    }
}
