package dev.tokenarena.scoring.api;

import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The HTTP query API of one scoring instance (Netty, NIO). Bound before the Streams client is
 * built, because {@code application.server} must name the port actually bound (port 0 picks a
 * free one); but for the dashboard page it answers 503 until {@link #attach} hands it the running
 * client.
 *
 * <pre>
 * GET / (or /dashboard)               the dashboard page (HTML over the routes below)
 * GET /health                         streams state of this instance
 * GET /leaderboard/{preset}[?window=] latest ranking of the preset (from its owning instance)
 * GET /endpoints/{id}[?history_hours=] latest stats and composites per preset, hourly probe history
 * GET /alerts[?state=OPEN|RESOLVED]   alert state of every (endpoint, kind), all instances
 * GET /alerts/stream                  server-sent events: alert transitions as published
 * </pre>
 */
public final class ApiServer implements AutoCloseable {

    /** Requests are small GETs; anything larger is refused by the aggregator (413). */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    /** Threads that run store reads and peer calls (never the I/O loop). */
    static final int WORKER_THREADS = 4;
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);

    private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventExecutorGroup workers = new DefaultEventExecutorGroup(WORKER_THREADS);
    private final AtomicReference<ApiHandler.Backend> backend = new AtomicReference<>();
    private final String host;
    private final Channel channel;

    private ApiServer(String host, int port, DashboardPage dashboard) {
        this.host = host;
        ServerBootstrap bootstrap = new ServerBootstrap().group(io).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES));
                        ch.pipeline().addLast(workers, "api", new ApiHandler(backend::get, dashboard));
                    }
                });
        try {
            this.channel = bootstrap.bind(host, port).sync().channel();
        } catch (Exception e) {
            shutdownGroups();
            throw new IllegalStateException("cannot listen on " + host + ":" + port
                    + " for the scoring API (set api.port to a free port, 0 for any, -1 for none): " + e.getMessage(), e);
        }
    }

    /** Binds {@code host:port} (0: any free port); answers 503 until {@link #attach}. */
    public static ApiServer bind(String host, int port) {
        // read before any thread starts: a jar without the page fails here, at startup, not on a
        // browser's first visit
        DashboardPage dashboard = DashboardPage.load();
        return new ApiServer(Objects.requireNonNull(host, "host"), port, dashboard);
    }

    /** The port bound. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** {@code host:port} for {@code application.server}: what peers call. */
    public String advertised() {
        return host + ":" + port();
    }

    /**
     * Starts answering from {@code streams} (whose {@code application.server} must be
     * {@link #advertised()}) and streaming alerts read from {@code alertsTopic}.
     */
    public void attach(KafkaStreams streams, ApiStores stores, String bootstrapServers, String alertsTopic,
                       AvroWireSerde<DriftAlert> alertSerde) {
        PeerClient peers = new PeerClient(PEER_TIMEOUT);
        AlertFeed feed = new AlertFeed(bootstrapServers, alertsTopic, alertSerde);
        StoreRouter router = new StoreRouter(streams, new HostInfo(host, port()), peers);
        if (!backend.compareAndSet(null, new ApiHandler.Backend(router, stores, feed, peers))) {
            feed.close();
            throw new IllegalStateException("the API is already attached to a streams client");
        }
        feed.start();
    }

    /** True once the alert stream reads the alerts topic (tests wait for it before producing). */
    public boolean awaitAlertStreamReady(Duration timeout) throws InterruptedException {
        ApiHandler.Backend b = backend.get();
        return b != null && b.feed().awaitAssigned(timeout);
    }

    @Override
    public void close() {
        ApiHandler.Backend b = backend.getAndSet(null);
        if (b != null) {
            b.feed().close();
        }
        channel.close().awaitUninterruptibly();
        shutdownGroups();
    }

    /** The I/O loop first: it closes the connections, whose last events still reach the workers. */
    private void shutdownGroups() {
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
