package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The first inbound handler of a probe connection, ahead of TLS and HTTP decoding: reads the
 * Ticker the moment Netty hands over bytes from the socket. Every SSE event completed by those
 * bytes carries this reading (see {@link SseDecoder}), so a token's time is when it left the
 * socket, not when decoding and parsing reached it. The reading is only valid during that read:
 * events completed outside one (the body ended by the peer closing) stamp themselves.
 */
final class ArrivalStamp extends ChannelInboundHandlerAdapter {

    static final long NONE = Long.MIN_VALUE;

    private final Ticker ticker;
    private long readNanos = NONE;

    ArrivalStamp(Ticker ticker) {
        this.ticker = ticker;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readNanos = ticker.nanos();
        try {
            ctx.fireChannelRead(msg);
        } finally {
            readNanos = NONE;
        }
    }

    /** The Ticker reading of the read in progress on this channel, or {@link #NONE} outside a read. */
    long readNanos() {
        return readNanos;
    }
}
