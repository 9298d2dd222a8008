package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The last handler of a probe connection: takes the response head, hands SSE events to the
 * protocol parser, keeps the start of an error body, enforces the first-byte and whole-request
 * deadlines, and completes the exchange exactly once. Everything runs on the channel's event loop.
 *
 * <p>SSE events arrive already stamped with their socket read time and are parsed later, by
 * {@link DeferredWork}, so one channel's JSON parsing never delays another channel's read.
 * Before anything ends the exchange (end of body, close, failure, timeout) the waiting events
 * are parsed first: they arrived before the ending and belong to the answer.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {

    /** How much of a non-2xx body is kept for the error text. */
    static final int ERROR_BODY_BYTES = 2048;

    /**
     * Decoded characters allowed to wait for parsing; past this the events are parsed at once.
     * Keeps the queue bounded when a server floods one connection faster than parsing keeps up.
     */
    static final long MAX_WAITING_CHARS = 1024 * 1024;

    private final Ticker ticker;
    private final Limits limits;
    private final StreamParser parser;
    private final StreamRecorder recorder = new StreamRecorder();
    private final CompletableFuture<Exchange> result = new CompletableFuture<>();
    private final long startNanos;
    private final StringBuilder errorBody = new StringBuilder();
    private long connectNanos = -1;
    private long tlsNanos = -1;
    private int status;
    private String contentType;
    private String retryAfter;
    private String requestIdHeader;
    private int errorBodyBytes;
    private Channel channel;
    private ScheduledFuture<?> firstByteTimer;
    private ScheduledFuture<?> requestTimer;
    private boolean finished;
    /** Decoded events (SseEvent, SseEvent.End) waiting for the parser, in arrival order. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long waitingChars;
    private boolean offered;
    private boolean parsing;
    private final Runnable deferredParse = this::runDeferred;

    ExchangeHandler(Ticker ticker, Limits limits, StreamParser parser, long startNanos) {
        this.ticker = ticker;
        this.limits = limits;
        this.parser = parser;
        this.startNanos = startNanos;
    }

    CompletableFuture<Exchange> result() {
        return result;
    }

    /** Arms the whole-request deadline; called once the channel exists, on its event loop. */
    void armRequestTimer(Channel ch) {
        this.channel = ch;
        if (finished) {
            ch.close(); // failed before the timer was armed (e.g. connect refused at once)
            return;
        }
        long remaining = limits.requestTimeoutMs() * 1_000_000L - (ticker.nanos() - startNanos);
        requestTimer = ch.eventLoop().schedule(() -> fail(Outcome.TIMEOUT,
                "response not complete within request.timeout.ms=" + limits.requestTimeoutMs()),
                Math.max(0, remaining), TimeUnit.NANOSECONDS);
    }

    void connected(long nanos) {
        connectNanos = nanos;
    }

    void handshaken(long nanos) {
        tlsNanos = nanos;
    }

    /** The request is on the wire: from now the server has first.byte.timeout.ms to answer. */
    void requestSent() {
        if (!finished && status == 0) {
            firstByteTimer = channel.eventLoop().schedule(() -> fail(Outcome.TIMEOUT,
                    "no response within first.byte.timeout.ms=" + limits.firstByteTimeoutMs()),
                    limits.firstByteTimeoutMs(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (finished) {
                return;
            }
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                Throwable cause = o.decoderResult().cause();
                fail(cause instanceof TooLongFrameException ? Outcome.LIMIT_EXCEEDED : Outcome.PROTOCOL_ERROR,
                        "malformed HTTP response: " + cause.getMessage());
                return;
            }
            if (msg instanceof HttpResponse response) {
                head(response);
            }
            if (msg instanceof SseEvent event) {
                defer(ctx, event, event.data().length());
            } else if (msg instanceof SseEvent.End end) {
                defer(ctx, end, 0);
            } else if (msg instanceof HttpContent content) {
                keepErrorBody(content);
                if (msg instanceof LastHttpContent) {
                    finish(new Exchange.Completed(ticker.nanos()));
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void defer(ChannelHandlerContext ctx, Object item, int chars) {
        waiting.add(item);
        waitingChars += chars;
        if (waitingChars > MAX_WAITING_CHARS) {
            parseWaiting();
        } else if (!offered) {
            offered = true;
            DeferredWork.on(ctx.executor(), ticker).offer(deferredParse);
        }
    }

    /** Decoded events not parsed yet; for tests. */
    int waitingEvents() {
        return waiting.size();
    }

    /** Run by {@link DeferredWork} on the event loop. */
    private void runDeferred() {
        offered = false;
        parseWaiting();
    }

    /** Parses the waiting events in order, until they run out or one of them ends the exchange. */
    private void parseWaiting() {
        if (parsing) {
            return; // finish() called from inside the loop below
        }
        parsing = true;
        try {
            Object item;
            while (!finished && (item = waiting.poll()) != null) {
                parse(item);
            }
        } finally {
            parsing = false;
            waiting.clear();
            waitingChars = 0;
        }
    }

    private void parse(Object item) {
        try {
            if (item instanceof SseEvent event) {
                parser.onEvent(event, recorder);
                if (recorder.ended()) {
                    // The end marker ends the answer even if the server keeps the connection open.
                    finish(new Exchange.Completed(event.nanos()));
                }
            } else if (item instanceof SseEvent.End end) {
                finish(new Exchange.Completed(end.nanos()));
            }
        } catch (ProbeFailure f) {
            fail(f.outcome(), f.getMessage());
        } catch (RuntimeException e) {
            // Parsing runs in a loop task now, not under channelRead: nothing else would catch this.
            fail(Outcome.PROTOCOL_ERROR, "unexpected failure: " + rootMessage(e));
        }
    }

    private void head(HttpResponse response) {
        if (firstByteTimer != null) {
            firstByteTimer.cancel(false);
        }
        status = response.status().code();
        contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String retry = response.headers().get(HttpHeaderNames.RETRY_AFTER);
        // Server-controlled text: kept short; it goes into the error of a RATE_LIMITED result.
        retryAfter = retry == null ? null : retry.substring(0, Math.min(retry.length(), 40));
        requestIdHeader = response.headers().get("x-request-id");
        if (requestIdHeader == null) {
            requestIdHeader = response.headers().get("request-id"); // Anthropic's header
        }
        if (status >= 200 && status <= 299) {
            // Checked on the head so a wrong body is never read: we send no Accept-Encoding and
            // ask for an event stream; a missing content type is tolerated (some servers omit it).
            String encoding = response.headers().get(HttpHeaderNames.CONTENT_ENCODING);
            if (encoding != null && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
                fail(Outcome.PROTOCOL_ERROR, "unsupported Content-Encoding " + encoding
                        + " (the probe sends no Accept-Encoding and reads the stream as it arrives)");
            } else if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).contains("event-stream")) {
                fail(Outcome.PROTOCOL_ERROR, "expected a text/event-stream response, got " + contentType);
            }
        }
    }

    private void keepErrorBody(HttpContent content) {
        int room = ERROR_BODY_BYTES - errorBodyBytes;
        int n = Math.min(room, content.content().readableBytes());
        if (n > 0) {
            // A cut multi-byte character at the end becomes U+FFFD: harmless in an error text.
            errorBody.append(content.content().toString(content.content().readerIndex(), n, StandardCharsets.UTF_8));
            errorBodyBytes += n;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProbeFailure f) {
            fail(f.outcome(), f.getMessage());
        } else if (causedBy(cause, SSLException.class)) {
            fail(Outcome.TLS_ERROR, "TLS failure: " + rootMessage(cause));
        } else if (causedBy(cause, TooLongFrameException.class)) {
            fail(Outcome.LIMIT_EXCEEDED, "HTTP head too large: " + rootMessage(cause));
        } else if (causedBy(cause, IOException.class)) {
            fail(Outcome.TRUNCATED, (status == 0 ? "connection failed before the response head: "
                    : "connection failed mid-stream: ") + rootMessage(cause));
        } else {
            fail(Outcome.PROTOCOL_ERROR, "unexpected failure: " + rootMessage(cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            if (status == 0) {
                fail(Outcome.TRUNCATED, "connection closed before the response head");
            } else {
                // The body ended by the peer closing; whether the stream was whole is decided from its content.
                finish(new Exchange.Completed(ticker.nanos()));
            }
        }
        ctx.fireChannelInactive();
    }

    void fail(Outcome outcome, String reason) {
        finish(new Exchange.Failed(outcome, reason, ticker.nanos()));
    }

    private void finish(Exchange.Ending ending) {
        if (finished) {
            return;
        }
        parseWaiting(); // events that arrived before this ending are part of the answer
        if (finished) {
            return; // one of them ended it, e.g. [DONE] before the close
        }
        finished = true;
        if (firstByteTimer != null) {
            firstByteTimer.cancel(false);
        }
        if (requestTimer != null) {
            requestTimer.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
        result.complete(new Exchange(startNanos, connectNanos, tlsNanos, status, contentType, requestIdHeader,
                errorBody.length() == 0 ? null : errorBody.toString(), recorder, ending, retryAfter));
    }

    static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
}
