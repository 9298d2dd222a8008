package dev.tokenarena.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small OpenAI-chat SSE server that streams on a fixed schedule and records when it actually
 * wrote each token, on {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux, the same clock as
 * Python's {@code time.monotonic_ns()} and as the probe agent's Ticker in another JVM).
 *
 * <p>Why not the simulator: it schedules tokens by the same model but does not expose when it
 * wrote them, and it is not ours to change. A client's timing error is "when the client stamped
 * the token" minus "when the server wrote it", so the server has to say when it wrote it.
 *
 * <p>Timing model (the simulator's, with no jitter, no region delay and no prefill term):
 * response head at once, token i (0-based) due at {@code received + ttftMs + i * 1000 /
 * tokensPerSecond}, rounded up to the next whole millisecond of the monotonic clock; the finish chunk, the usage chunk and {@code [DONE]} go with the last token,
 * then the connection closes. Each token is written and flushed on its own; the next one is
 * scheduled from its due time, not from the previous write, so lateness does not accumulate.
 *
 * <p>{@code GET /_stamps} returns and forgets the finished requests, one line each:
 * {@code id receivedNanos firstSentNanos lastSentNanos tokens maxLatenessNanos}.
 */
final class ScheduleServer implements AutoCloseable {

    /** The schedule every request gets. */
    record Schedule(double ttftMs, double tokensPerSecond, int tokens) {
        Schedule {
            if (ttftMs < 0 || tokensPerSecond <= 0 || tokens < 2) {
                throw new IllegalArgumentException("need ttftMs >= 0, tokensPerSecond > 0, tokens >= 2; got "
                        + ttftMs + ", " + tokensPerSecond + ", " + tokens);
            }
        }

        long ttftNanos() {
            return Math.round(ttftMs * 1_000_000);
        }

        long gapNanos() {
            return Math.round(1e9 / tokensPerSecond);
        }
    }

    /** Single-token o200k words, so the client's local token count equals usage. */
    private static final String[] WORDS = {" the", " light", " house", " keeper", " sea", " night", " ship",
        " storm", " lamp", " old", " man", " wave", " rock", " wind", " and", " of"};
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final long TICK_NANOS = 1_000_000;

    private final EventLoopGroup group;
    private final Channel server;
    private final Schedule schedule;
    private final String transport;
    private final AtomicLong ids = new AtomicLong();
    private final StringBuffer finished = new StringBuffer();

    private ScheduleServer(Schedule schedule, int port, int threads) {
        this.schedule = schedule;
        // Epoll where it works (as the probe client): the server writes 40,000 chunks a second
        // at 1,000 streams and must not be the slower side.
        boolean epoll = Epoll.isAvailable();
        this.transport = epoll ? "epoll" : "nio";
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-sse-server"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new Handler());
                    }
                });
        this.server = b.bind("127.0.0.1", port).syncUninterruptibly().channel();
    }

    static ScheduleServer start(Schedule schedule, int port, int threads) {
        return new ScheduleServer(schedule, port, threads);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The finished requests since the last call, in the {@code /_stamps} line format. */
    String drainStamps() {
        synchronized (finished) {
            String s = finished.toString();
            finished.setLength(0);
            return s;
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One connection, one request (the probe client and ours send Connection: close). */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private String id;
        private long received;
        private long firstSent;
        private long maxLateness;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.method() == HttpMethod.GET) {
                String body = req.uri().startsWith("/_stamps") ? drainStamps() : "ok\n";
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH,
                        r.content().readableBytes()).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            received = System.nanoTime();
            id = "chatcmpl-bench-" + ids.incrementAndGet();
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(head);
            scheduleToken(ctx, 0);
        }

        private long ceilToTick(long nanos) {
            return Math.floorDiv(nanos + TICK_NANOS - 1, TICK_NANOS) * TICK_NANOS;
        }

        private long due(int i) {
            return received + schedule.ttftNanos() + i * schedule.gapNanos();
        }

        private void scheduleToken(ChannelHandlerContext ctx, int i) {
            // Due times are rounded up to a 1 ms grid so that the loop wakes once per millisecond
            // and writes every stream's due token in that wake-up, as an inference server writes
            // one decode step's tokens for all sequences together. One timer wake-up per token
            // (40,000 a second at 1,000 streams) kept the server behind schedule on its core.
            // Lateness (write - due) includes this rounding: up to 1 ms.
            long delay = ceilToTick(due(i)) - System.nanoTime();
            ctx.executor().schedule(() -> sendToken(ctx, i), Math.max(0, delay), TimeUnit.NANOSECONDS);
        }

        private void sendToken(ChannelHandlerContext ctx, int i) {
            if (!ctx.channel().isActive()) {
                return;
            }
            boolean last = i == schedule.tokens() - 1;
            StringBuilder sb = new StringBuilder(160);
            sb.append("data: {\"id\":\"").append(id).append("\",\"object\":\"chat.completion.chunk\",\"created\":0,")
                    .append("\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
                    .append(WORDS[i % WORDS.length]).append("\"},\"finish_reason\":null}]}\n\n");
            if (last) {
                sb.append("data: {\"id\":\"").append(id).append("\",\"object\":\"chat.completion.chunk\",")
                        .append("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n")
                        .append("data: {\"id\":\"").append(id).append("\",\"object\":\"chat.completion.chunk\",")
                        .append("\"choices\":[],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":")
                        .append(schedule.tokens()).append(",\"total_tokens\":").append(schedule.tokens())
                        .append("}}\n\ndata: [DONE]\n\n");
            }
            ByteBuf buf = ctx.alloc().buffer(sb.length());
            buf.writeCharSequence(sb, StandardCharsets.UTF_8);
            long sent = System.nanoTime();
            maxLateness = Math.max(maxLateness, sent - due(i));
            if (i == 0) {
                firstSent = sent;
            }
            ctx.writeAndFlush(new DefaultHttpContent(buf));
            if (last) {
                synchronized (finished) {
                    finished.append(id).append(' ').append(received).append(' ').append(firstSent).append(' ')
                            .append(sent).append(' ').append(schedule.tokens()).append(' ').append(maxLateness)
                            .append('\n');
                }
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            } else {
                scheduleToken(ctx, i + 1);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Child-process entry point: {@code --port P --ttft-ms T --tokens-per-second R --tokens N --threads K}.
     * Prints {@code LISTENING <port> <epoll|nio>} and serves until its standard input closes.
     */
    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        ScheduleServer s = start(new Schedule(Double.parseDouble(arg(a, "--ttft-ms", "200")),
                        Double.parseDouble(arg(a, "--tokens-per-second", "40")),
                        Integer.parseInt(arg(a, "--tokens", "128"))),
                Integer.parseInt(arg(a, "--port", "0")), Integer.parseInt(arg(a, "--threads", "1")));
        System.out.println("LISTENING " + s.port() + " " + s.transport);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // wait for the parent to go away
            }
        }
        s.close();
    }

    private static String arg(List<String> args, String name, String dflt) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : dflt;
    }
}
