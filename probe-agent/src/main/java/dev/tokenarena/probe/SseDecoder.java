package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the streamed body of a 2xx response into {@link SseEvent}s, chunk by chunk, without
 * ever holding the whole response. Lines are split on raw bytes (LF, CR or CRLF never occur
 * inside a multi-byte UTF-8 sequence) and decoded only when complete, so a character split
 * across two chunks decodes correctly. Every input is bounded: line, event and total body size;
 * exceeding one fires a {@link ProbeFailure} naming the setting and drops the rest.
 *
 * <p>Bodies of non-2xx responses are passed through untouched (still counted against
 * max.response.bytes) for the exchange handler to quote in the error. A bare {@link ByteBuf}
 * is treated as SSE body bytes, which keeps tests short.
 */
final class SseDecoder extends ChannelInboundHandlerAdapter {

    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};

    private final Ticker ticker;
    private final Limits limits;
    private final ArrivalStamp arrival;

    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lastWasCr;
    private boolean firstLine = true;
    /**
     * The event's data lines as raw bytes, each followed by LF, decoded once when the event is
     * dispatched: one String per event instead of one per line plus a copy. Same text, because
     * LF never continues a UTF-8 sequence. Bounded by max.event.bytes.
     */
    private byte[] data = new byte[256];
    private int dataLength;
    private long eventBytes;
    private boolean hasData;
    private String eventType;
    private long responseBytes;
    private boolean sse = true;
    private boolean failed;

    SseDecoder(Ticker ticker, Limits limits) {
        this(ticker, limits, null);
    }

    /** With {@code arrival}, events carry the time their bytes were read from the socket. */
    SseDecoder(Ticker ticker, Limits limits, ArrivalStamp arrival) {
        this.ticker = ticker;
        this.limits = limits;
        this.arrival = arrival;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            ctx.fireChannelRead(msg); // the exchange handler turns a broken HTTP message into an outcome
            return;
        }
        if (msg instanceof HttpResponse response) {
            sse = response.status().codeClass() == HttpStatusClass.SUCCESS;
            if (!(msg instanceof HttpContent)) {
                ctx.fireChannelRead(msg);
                return;
            }
        }
        ByteBuf body;
        if (msg instanceof HttpContent content) {
            body = content.content();
        } else if (msg instanceof ByteBuf buf) {
            body = buf;
        } else {
            ctx.fireChannelRead(msg);
            return;
        }
        // The arrival time of this chunk: every event it completes carries it. Taken by the first
        // handler when the bytes left the socket, before TLS and HTTP decoding; read here only
        // when no read is in progress (a body ended by the peer closing).
        long read = arrival == null ? ArrivalStamp.NONE : arrival.readNanos();
        long now = read != ArrivalStamp.NONE ? read : ticker.nanos();
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        responseBytes += body.readableBytes();
        if (responseBytes > limits.maxResponseBytes()) {
            ReferenceCountUtil.release(msg);
            fail(ctx, new ProbeFailure(Outcome.LIMIT_EXCEEDED,
                    "response exceeds max.response.bytes=" + limits.maxResponseBytes()));
            return;
        }
        if (!sse) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            decode(ctx, body, now);
            if (msg instanceof LastHttpContent) {
                endOfStream(ctx, now);
            }
        } catch (ProbeFailure f) {
            fail(ctx, f);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void fail(ChannelHandlerContext ctx, ProbeFailure failure) {
        failed = true;
        line = new byte[0];
        data = new byte[0];
        dataLength = 0;
        ctx.fireExceptionCaught(failure);
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf body, long now) throws ProbeFailure {
        int end = body.writerIndex();
        int runStart = body.readerIndex();
        while (runStart < end && !failed) {
            // Netty's own search for the next CR or LF: several bytes per step, where a getByte
            // per byte was the decoder's largest cost on the event loop.
            int eol = body.forEachByte(runStart, end - runStart, ByteProcessor.FIND_CRLF);
            if (eol < 0) {
                break;
            }
            byte b = body.getByte(eol);
            // With bytes before it on this line, an LF cannot be the tail of the last line's CRLF.
            boolean crlfTail = b == LF && lastWasCr && eol == runStart && lineLength == 0;
            lastWasCr = b == CR;
            if (!crlfTail) {
                append(body, runStart, eol - runStart);
                line(ctx, now);
            }
            runStart = eol + 1;
        }
        if (runStart < end && !failed) {
            lastWasCr = false;
            append(body, runStart, end - runStart);
        }
        body.readerIndex(end);
    }

    private void append(ByteBuf body, int from, int length) throws ProbeFailure {
        if (length == 0) {
            return;
        }
        if ((long) lineLength + length > limits.maxLineBytes()) {
            throw new ProbeFailure(Outcome.LIMIT_EXCEEDED, "line exceeds max.line.bytes=" + limits.maxLineBytes());
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.min(limits.maxLineBytes(), Math.max(line.length * 2, lineLength + length)));
        }
        body.getBytes(from, line, lineLength, length);
        lineLength += length;
    }

    private void line(ChannelHandlerContext ctx, long now) throws ProbeFailure {
        int from = 0;
        if (firstLine) {
            firstLine = false;
            if (lineLength >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                from = 3; // a UTF-8 byte order mark may open the stream
            }
        }
        int length = lineLength - from;
        lineLength = 0;
        if (length == 0) {
            dispatch(ctx, now);
            return;
        }
        if (line[from] == ':') {
            return; // comment, e.g. a keep-alive ": ping"
        }
        int colon = -1;
        for (int i = from; i < from + length; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        int fieldEnd = colon < 0 ? from + length : colon;
        int valueStart = colon < 0 ? from + length : colon + 1;
        if (valueStart < from + length && line[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = from + length - valueStart;
        // Field names compared as bytes: this runs for every line of every stream on the event loop.
        if (fieldIs(DATA, from, fieldEnd)) {
            eventBytes += valueLength + 1L;
            if (eventBytes > limits.maxEventBytes()) {
                throw new ProbeFailure(Outcome.LIMIT_EXCEEDED, "event exceeds max.event.bytes=" + limits.maxEventBytes());
            }
            if (dataLength + valueLength + 1 > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + valueLength + 1));
            }
            System.arraycopy(line, valueStart, data, dataLength, valueLength);
            dataLength += valueLength;
            data[dataLength++] = LF;
            hasData = true;
        } else if (fieldIs(EVENT, from, fieldEnd)) {
            eventType = new String(line, valueStart, valueLength, StandardCharsets.UTF_8);
        }
        // id and retry steer browser reconnects; a probe never reconnects, unknown fields are ignored by spec.
    }

    private boolean fieldIs(byte[] name, int from, int to) {
        return Arrays.equals(line, from, to, name, 0, name.length);
    }

    private void dispatch(ChannelHandlerContext ctx, long now) {
        if (hasData) {
            // Without the last LF, as the SSE spec joins data lines.
            SseEvent event = new SseEvent(eventType == null ? "message" : eventType,
                    new String(data, 0, dataLength - 1, StandardCharsets.UTF_8), now);
            dataLength = 0;
            hasData = false;
            eventBytes = 0;
            eventType = null;
            ctx.fireChannelRead(event);
        } else {
            eventType = null;
            eventBytes = 0;
        }
    }

    private void endOfStream(ChannelHandlerContext ctx, long now) throws ProbeFailure {
        // Lenient where the spec is strict: a last line or event without its terminating blank
        // line is still delivered, because real servers end streams that way and dropping
        // "data: [DONE]" would misreport a complete stream as truncated.
        if (lineLength > 0) {
            line(ctx, now);
        }
        if (!failed) {
            dispatch(ctx, now);
            ctx.fireChannelRead(new SseEvent.End(now));
        }
    }
}
