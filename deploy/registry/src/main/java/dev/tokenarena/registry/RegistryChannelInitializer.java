package dev.tokenarena.registry;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The registry's pipeline: HTTP codec with bounded request line and headers, keep-alive,
 * a bounded aggregator (schema bodies are small; the limit is in the 413 message), then the API.
 * The API runs on {@code blocking} because a registration waits for Kafka's ack and must not stall
 * the event loop; a channel's requests are chained one after another, so pipelined requests keep
 * their order.
 */
final class RegistryChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADERS = 16384;

    private final RegistryApi api;
    private final int maxBodyBytes;
    private final Executor blocking;

    /** {@code blocking} may be null to run the API on the event loop (tests with EmbeddedChannel). */
    RegistryChannelInitializer(RegistryApi api, int maxBodyBytes, Executor blocking) {
        this.api = api;
        this.maxBodyBytes = maxBodyBytes;
        this.blocking = blocking;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        configure(ch.pipeline());
    }

    void configure(ChannelPipeline pipeline) {
        pipeline.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, 8192));
        pipeline.addLast("keepAlive", new HttpServerKeepAliveHandler());
        pipeline.addLast("aggregate", new BoundedAggregator(maxBodyBytes));
        pipeline.addLast("api", new ApiHandler(api, blocking));
    }

    static FullHttpResponse response(HttpResponseStatus status, String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }

    /** Answers an oversized body with a Confluent-style error naming the limit, then closes. */
    static final class BoundedAggregator extends HttpObjectAggregator {

        BoundedAggregator(int maxBodyBytes) {
            super(maxBodyBytes);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            RegistryApi.Response error = RegistryApi.error(413, 413,
                    "request body larger than the limit of " + maxContentLength() + " bytes");
            FullHttpResponse response = response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, error.body());
            // The rest of the body is still on the wire: closing is the only way to stay in sync.
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Moves one aggregated request into the API and its answer back out. One instance per channel. */
    static final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final RegistryApi api;
        private final Executor blocking;
        private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

        ApiHandler(RegistryApi api, Executor blocking) {
            this.api = api;
            this.blocking = blocking;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            // Copy what the API needs now: the request buffer is released when this method returns.
            boolean failed = request.decoderResult().isFailure();
            String failure = failed ? String.valueOf(request.decoderResult().cause().getMessage()) : null;
            String method = request.method().name();
            String uri = request.uri();
            String body = request.content().toString(StandardCharsets.UTF_8);
            boolean keepAlive = HttpUtil.isKeepAlive(request) && !failed;
            Runnable work = () -> {
                RegistryApi.Response answer = failed ? RegistryApi.error(400, 400, "bad HTTP request: " + failure)
                        : api.handle(method, uri, body);
                FullHttpResponse response = response(HttpResponseStatus.valueOf(answer.status()), answer.body());
                HttpUtil.setKeepAlive(response, keepAlive);
                if (keepAlive) {
                    ctx.writeAndFlush(response);
                } else {
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
            };
            if (blocking == null) {
                work.run();
            } else {
                // exceptionally: one failed answer must not stop the answers queued behind it on this connection.
                previous = previous.exceptionally(e -> null).thenRunAsync(work, blocking);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset connection is the client's business; anything else is closed the same way, never rethrown.
            ctx.close();
        }
    }
}
