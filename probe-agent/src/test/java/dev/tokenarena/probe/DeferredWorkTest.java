package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The probe pipeline's timing path on an embedded channel: stamps come from the first handler's
 * read, parsing waits for the loop's task phase, and an ending parses what is still waiting.
 */
class DeferredWorkTest {

    // Every Ticker reading advances the clock by 1,000 ns, so a second reading would show.
    private final AtomicLong clock = new AtomicLong();
    private final Ticker ticker = () -> clock.addAndGet(1_000);
    private final ExchangeHandler handler = new ExchangeHandler(ticker, Limits.defaults(),
            StreamParser.forProtocol("openai-chat"), 0);
    private final EmbeddedChannel ch;

    DeferredWorkTest() {
        ArrivalStamp arrival = new ArrivalStamp(ticker);
        ch = new EmbeddedChannel(arrival, new SseDecoder(ticker, Limits.defaults(), arrival), handler);
    }

    private void head() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        ch.pipeline().fireChannelRead(head); // not writeInbound: it runs the pending tasks at once
    }

    private void chunk(String sse) {
        ch.pipeline().fireChannelRead(new DefaultHttpContent(Unpooled.copiedBuffer(sse, StandardCharsets.UTF_8)));
    }

    private static String token(String text) {
        return "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"" + text + "\"}}]}\n\n";
    }

    @Test
    void shouldStampTokenAtSocketReadAndParseItOnlyInTheTaskPhase() {
        head();                      // reading 1: 1,000 (the head's read)
        chunk(token("Hi"));          // reading 2: 2,000, taken by ArrivalStamp before decoding
        chunk("data: [DONE]\n\n");   // reading 3: 3,000
        assertFalse(handler.result().isDone(), "nothing parsed before the loop's task phase");
        assertEquals(2, handler.waitingEvents());

        ch.runPendingTasks();

        Exchange ex = handler.result().getNow(null);
        assertEquals(2_000, ex.stream().firstTokenNanos(), "the read's stamp, not a later reading by the decoder");
        assertEquals(3_000, ex.ending().atNanos(), "[DONE] ends the exchange at its own read");
        assertEquals(Outcome.OK, ResultAssembler.classify(ex).outcome());
    }

    @Test
    void shouldHandTheLoopBackToItsSocketsAfterEachSliceOfWork() {
        // Each item reads the ticker 60 times: 60,000 ns. The slice (100,000 ns) is over after the
        // second item, so one run does two of five items in order and queues the rest for after
        // the next select (a scheduled task, not a plain one, which would run before it).
        java.util.List<Integer> done = new java.util.ArrayList<>();
        DeferredWork work = DeferredWork.on(ch.eventLoop(), ticker);
        for (int i = 0; i < 5; i++) {
            int item = i;
            work.offer(() -> {
                for (int k = 0; k < 60; k++) {
                    ticker.nanos();
                }
                done.add(item);
            });
        }
        work.run();
        assertEquals(java.util.List.of(0, 1), done);
        assertEquals(3, work.waiting());
        work.run();
        work.run();
        assertEquals(java.util.List.of(0, 1, 2, 3, 4), done);
        assertEquals(0, work.waiting());
    }

    @Test
    void shouldParseWaitingEventsFirstWhenTheConnectionClosesBeforeTheTaskPhase() {
        head();
        chunk(token("Hi") + "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        chunk("data: [DONE]\n\n");   // reading 3: 3,000
        ch.pipeline().fireChannelInactive(); // the peer closed; the parse task has not run

        Exchange ex = handler.result().getNow(null);
        assertTrue(ex != null && ex.ending() instanceof Exchange.Completed, String.valueOf(ex));
        assertEquals(1, ex.stream().tokenChunks());
        assertEquals("stop", ex.stream().finishReason());
        assertEquals(3_000, ex.ending().atNanos(), "ended by [DONE], which was still waiting, not by the close");
        assertEquals(Outcome.OK, ResultAssembler.classify(ex).outcome());
    }

    @Test
    void shouldParseAtOnceWhenWaitingTextExceedsTheBound() {
        head();
        // Three events of 400,000 characters (each under max.line.bytes of 1 MiB) pass
        // MAX_WAITING_CHARS (1 MiB) with the third: those three are parsed during the read,
        // [DONE] after them waits for the task phase.
        String big = token("x".repeat(400_000));
        chunk(big + big + big + "data: [DONE]\n\n");
        assertEquals(1, handler.waitingEvents());
        assertFalse(handler.result().isDone());

        ch.runPendingTasks();
        assertEquals(Outcome.OK, ResultAssembler.classify(handler.result().getNow(null)).outcome());
        assertEquals(3, handler.result().getNow(null).stream().tokenChunks());
    }
}
