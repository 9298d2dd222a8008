package dev.tokenarena.probe;

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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * An OpenAI-style chat completion endpoint over HTTPS on a real local socket. The response head
 * and the first chunk (a {@code role} chunk, which carries no token) go out at once; the token
 * chunks follow {@code firstTokenDelayMs} after the request has been read, each flushed on its
 * own, then the chunked body ends and the connection closes. The delay is a timer on the server's
 * event loop, never a sleep.
 *
 * <p>The certificate comes from {@link #generateCertificate}: the JDK's {@code keytool} run at test
 * time (Netty's {@code SelfSignedCertificate} needs BouncyCastle on JDK 17).
 */
final class TlsSseServer implements AutoCloseable {

    static final String STORE_PASSWORD = "arena-test";
    static final String ALIAS = "arena";

    /** A generated key pair in a PKCS12 file, and its certificate for the client's trust. */
    record Certificate(Path keyStore, X509Certificate certificate) {
    }

    /** What the server received, read after the TLS layer. */
    record Received(String path, String authorization, String body) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tls-sse-server"),
            NioIoHandler.newFactory());
    private final Channel channel;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    /**
     * @param chunks            SSE chunks; the first is sent with the head, the rest after the delay
     * @param firstTokenDelayMs from reading the whole request to writing the second chunk
     */
    TlsSseServer(Certificate cert, List<String> chunks, long firstTokenDelayMs) throws Exception {
        SslContext ssl = SslContextBuilder.forServer(keyManagers(cert)).build();
        channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(1024 * 1024), new Streamer(chunks, firstTokenDelayMs));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String baseUrl() {
        return "https://127.0.0.1:" + port() + "/v1";
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    List<Received> received() {
        return received;
    }

    private final class Streamer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final List<String> chunks;
        private final long delayMs;

        Streamer(List<String> chunks, long delayMs) {
            this.chunks = chunks;
            this.delayMs = delayMs;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            received.add(new Received(request.uri(), request.headers().get(HttpHeaderNames.AUTHORIZATION),
                    request.content().toString(StandardCharsets.UTF_8)));
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.write(head);
            ctx.writeAndFlush(chunk(chunks.get(0)));
            ctx.executor().schedule(() -> {
                for (String c : chunks.subList(1, chunks.size())) {
                    ctx.writeAndFlush(chunk(c)); // one flush per chunk: the client sees a stream
                }
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }, delayMs, TimeUnit.MILLISECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client refusing our certificate ends up here: expected in these tests
        }
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static KeyManagerFactory keyManagers(Certificate cert) throws GeneralSecurityException, IOException {
        KeyStore store = load(cert.keyStore());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, STORE_PASSWORD.toCharArray());
        return kmf;
    }

    private static KeyStore load(Path file) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, STORE_PASSWORD.toCharArray());
        }
        return store;
    }

    /**
     * Runs {@code keytool -genkeypair} into {@code dir}: an EC P-256 key (generated in
     * milliseconds, unlike RSA) and a self-signed certificate for {@code san} (e.g.
     * {@code ip:127.0.0.1}), valid for two days.
     */
    static Certificate generateCertificate(Path dir, String name, String san) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path log = dir.resolve(name + ".keytool.log");
        Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/keytool", "-genkeypair",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=tokenarena-test", "-ext", "SAN=" + san, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD, "-noprompt")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + Files.readString(log));
        }
        return new Certificate(store, (X509Certificate) load(store).getCertificate(ALIAS));
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
