package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Streams one POST per connection and reports what arrived, chunk by chunk. One event-loop
 * group for the whole agent; a fresh connection per request so connect and TLS time are measured
 * every time (DESIGN section 4: regions differ by distance). The pipeline is
 * {@code ArrivalStamp -> [SslHandler] -> HttpClientCodec -> SseDecoder -> ExchangeHandler}: no
 * aggregation, every input bounded by {@link Limits}. The socket layer is native epoll where it
 * loads, else NIO ({@link Transport}).
 */
final class StreamingHttpClient implements AutoCloseable {

    /** Largest response head we accept; real servers send a few hundred bytes. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Event-loop thread names start with this. */
    static final String IO_THREAD_PREFIX = "probe-io";

    private static final String ARRIVAL = "arrival";

    private final EventLoopGroup group;
    private final Transport transport;
    private final Ticker ticker;
    private final Limits limits;
    private final SslContext sslContext;

    StreamingHttpClient(int ioThreads, Ticker ticker, Limits limits) {
        this(ioThreads, ticker, limits, defaultSsl());
    }

    StreamingHttpClient(int ioThreads, Ticker ticker, Limits limits, SslContext sslContext) {
        this(ioThreads, ticker, limits, sslContext, Transport.preferNative());
    }

    StreamingHttpClient(int ioThreads, Ticker ticker, Limits limits, SslContext sslContext, Transport transport) {
        this.transport = transport;
        // Named so CPU per chunk of these threads can be read apart from workers, JIT and GC.
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory(IO_THREAD_PREFIX),
                transport.ioHandler().get());
        this.ticker = ticker;
        this.limits = limits;
        this.sslContext = sslContext;
    }

    static SslContext defaultSsl() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * Sends the call and completes when the response has ended or failed; never completes
     * exceptionally for anything the endpoint does, only with an {@link Exchange} saying so.
     *
     * <p>The host name is resolved here, on the caller's thread: Netty's default resolver would
     * block the event loop, and with it the reads and arrival stamps of every other stream, for as
     * long as a DNS lookup takes. The connection itself is started by the event loop as
     * {@link DeferredWork}, behind the reads of streams already answering, and the request's clock
     * (TTFT, connect time, the whole-request deadline) starts when it does: time this client spent
     * queuing a request is not the endpoint's.
     */
    CompletableFuture<Exchange> post(HttpCall call, StreamParser parser) {
        URI uri = call.uri();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException | SecurityException | IllegalArgumentException e) {
            return failedBeforeStart(parser, "cannot resolve host " + host + ": " + e.getMessage());
        }
        CompletableFuture<Exchange> result = new CompletableFuture<>();
        EventLoop loop = group.next();
        try {
            loop.execute(() -> DeferredWork.on(loop, ticker).offer(() -> {
                ExchangeHandler handler = start(loop, address, host, port, tls, call, parser);
                handler.result().whenComplete((exchange, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(exchange);
                    }
                });
            }));
        } catch (RejectedExecutionException e) {
            return failedBeforeStart(parser, "cannot connect to " + host + ":" + port + ": the client is closed");
        }
        return result;
    }

    /** A CONNECT_ERROR exchange for a call that never reached the event loop. */
    private CompletableFuture<Exchange> failedBeforeStart(StreamParser parser, String reason) {
        ExchangeHandler handler = new ExchangeHandler(ticker, limits, parser, ticker.nanos());
        handler.fail(Outcome.CONNECT_ERROR, reason);
        return handler.result();
    }

    /** Opens the connection; on the event loop, as deferred work. */
    private ExchangeHandler start(EventLoop loop, InetSocketAddress address, String host, int port, boolean tls,
                                  HttpCall call, StreamParser parser) {
        long start = ticker.nanos();
        ExchangeHandler handler = new ExchangeHandler(ticker, limits, parser, start);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, limits.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ArrivalStamp arrival = new ArrivalStamp(ticker);
                        ch.pipeline().addLast(ARRIVAL, arrival)
                                .addLast(new HttpClientCodec(4096, MAX_HEADER_BYTES, 8192),
                                        new SseDecoder(ticker, limits, arrival),
                                        handler);
                    }
                });
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(address);
        } catch (RuntimeException e) {
            handler.fail(Outcome.CONNECT_ERROR, "cannot connect to " + host + ":" + port + ": " + e.getMessage());
            return handler;
        }
        Channel ch = connect.channel();
        handler.armRequestTimer(ch);
        connect.addListener(f -> {
            long connected = ticker.nanos();
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                handler.fail(Outcome.CONNECT_ERROR, cause instanceof ConnectTimeoutException
                        ? "connect to " + host + ":" + port + " timed out after connect.timeout.ms=" + limits.connectTimeoutMs()
                        : "cannot connect to " + host + ":" + port + ": " + ExchangeHandler.rootMessage(cause));
                return;
            }
            handler.connected(connected - start);
            if (!tls) {
                send(ch, handler, call, host, port, false);
                return;
            }
            SslHandler ssl = sslContext.newHandler(ch.alloc(), host, port);
            ssl.setHandshakeTimeoutMillis(limits.connectTimeoutMs());
            ch.pipeline().addAfter(ARRIVAL, "tls", ssl); // stamped when the ciphertext is read
            ssl.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    handler.handshaken(ticker.nanos() - connected);
                    send(ch, handler, call, host, port, true);
                } else {
                    handler.fail(Outcome.TLS_ERROR, "TLS handshake with " + host + ":" + port + " failed: "
                            + ExchangeHandler.rootMessage(h.cause())
                            + (h.cause() instanceof io.netty.handler.ssl.SslHandshakeTimeoutException
                                    ? " (connect.timeout.ms=" + limits.connectTimeoutMs() + ")" : ""));
                }
            });
        });
        return handler;
    }

    private static void send(Channel ch, ExchangeHandler handler, HttpCall call, String host, int port, boolean tls) {
        URI uri = call.uri();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.wrappedBuffer(call.body()));
        boolean defaultPort = port == (tls ? 443 : 80);
        request.headers()
                .set(HttpHeaderNames.HOST, defaultPort ? host : host + ":" + port)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.ACCEPT, "text/event-stream")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, "tokenarena-probe/0.1")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, call.body().length);
        for (Map.Entry<String, String> h : call.headers().entrySet()) {
            request.headers().set(h.getKey(), h.getValue());
        }
        ch.writeAndFlush(request).addListener(w -> {
            if (w.isSuccess()) {
                handler.requestSent();
            } else {
                handler.fail(Outcome.CONNECT_ERROR, "cannot send the request: " + ExchangeHandler.rootMessage(w.cause()));
            }
        });
    }

    /** The socket layer in use: {@code epoll} or {@code nio}. */
    String transportName() {
        return transport.name();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
