package dev.tokenarena.standalone;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small read-only HTTP API over what the runner sees on the output topics:
 * {@code GET /leaderboard}, {@code GET /leaderboard/{preset}}, {@code GET /alerts}, {@code GET /health}.
 */
final class StatusApi implements AutoCloseable {

    /** Requests are tiny GETs; anything bigger is refused. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    private StatusApi(LiveView view, int port) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES), new Handler(view));
                    }
                });
        try {
            this.channel = bootstrap.bind("127.0.0.1", port).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully();
            throw new IllegalStateException("cannot listen on port " + port + " for the status API: " + e.getMessage(), e);
        }
    }

    static StatusApi start(LiveView view, int port) {
        return new StatusApi(view, port);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final LiveView view;

        Handler(LiveView view) {
            this.view = view;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.method().equals(HttpMethod.GET)) {
                reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, error("only GET is supported"));
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            if (path.equals("/health")) {
                reply(ctx, HttpResponseStatus.OK, "{\"status\":\"UP\"}");
            } else if (path.equals("/leaderboard")) {
                ArrayNode presets = AvroJson.MAPPER.createArrayNode();
                view.leaderboards().keySet().forEach(presets::add);
                reply(ctx, HttpResponseStatus.OK, presets.toString());
            } else if (path.startsWith("/leaderboard/")) {
                String preset = path.substring("/leaderboard/".length());
                LeaderboardSnapshot snapshot = view.leaderboards().get(preset);
                if (snapshot == null) {
                    reply(ctx, HttpResponseStatus.NOT_FOUND, error("no leaderboard yet for preset '" + preset + "'"));
                } else {
                    reply(ctx, HttpResponseStatus.OK, AvroJson.toJson(snapshot));
                }
            } else if (path.equals("/alerts")) {
                ArrayNode alerts = AvroJson.MAPPER.createArrayNode();
                view.alerts().forEach(a -> alerts.add(AvroJson.toTree(a)));
                reply(ctx, HttpResponseStatus.OK, alerts.toString());
            } else {
                reply(ctx, HttpResponseStatus.NOT_FOUND, error("unknown path; try /leaderboard, /leaderboard/{preset}, /alerts, /health"));
            }
        }

        private static String error(String message) {
            ObjectNode node = AvroJson.MAPPER.createObjectNode();
            node.put("error", message);
            return node.toString();
        }

        private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String json) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
