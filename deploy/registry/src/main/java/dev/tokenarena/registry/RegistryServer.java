package dev.tokenarena.registry;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded schema registry speaking the Confluent REST API (the subset producers, consumers,
 * Connect converters and our {@code RestSchemaRegistryClient} use), storing every schema in the
 * compacted Kafka topic {@link Topics#SCHEMAS} in the layout of Confluent's {@code _schemas}.
 *
 * <p>Startup reads the topic to its end before the port opens, so the first answer already knows
 * every stored schema, with the ids it had before a restart. A write is answered only after Kafka
 * acknowledged it ({@code acks=all}) and the reader applied it.
 *
 * <p>Default compatibility is FULL, not Confluent's BACKWARD: under FULL adding an optional field
 * (with a default) passes and removing a required field fails, because an older consumer could no
 * longer read new records. BACKWARD alone would accept that removal and break such consumers.
 *
 * <p>One writer per storage topic: ids are "highest id seen + 1" (see {@link SchemaStore}).
 */
public final class RegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

    /**
     * Everything a registry server can be told.
     *
     * @param bootstrapServers Kafka bootstrap servers holding the storage topic
     * @param host address to bind; {@code 0.0.0.0} for every interface
     * @param port port to bind, 0 for any free port
     * @param defaultLevel compatibility when neither the subject nor {@code PUT /config} set one
     * @param topic storage topic (compacted, one partition; created when missing)
     * @param maxRequestBytes largest accepted request body; larger ones get 413
     * @param storeTimeout how long a write or the startup read may wait for Kafka
     */
    public record Options(String bootstrapServers, String host, int port, AvroCompatibility.Level defaultLevel,
                          String topic, int maxRequestBytes, Duration storeTimeout) {

        /** 1 MiB: a large Avro schema is tens of kilobytes. */
        public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

        public Options {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(defaultLevel, "defaultLevel");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(storeTimeout, "storeTimeout");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535 (0 = any free port), got " + port);
            }
            if (maxRequestBytes < 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1024, got " + maxRequestBytes);
            }
        }

        /** Loopback on the given port, FULL, topic {@link Topics#SCHEMAS}, 1 MiB bodies, 30 s store timeout. */
        public static Options defaults(String bootstrapServers, int port) {
            return new Options(bootstrapServers, "127.0.0.1", port, AvroCompatibility.Level.FULL,
                    Topics.SCHEMAS.name(), DEFAULT_MAX_REQUEST_BYTES, Duration.ofSeconds(30));
        }

        public Options withHost(String value) {
            return new Options(bootstrapServers, value, port, defaultLevel, topic, maxRequestBytes, storeTimeout);
        }

        public Options withDefaultLevel(AvroCompatibility.Level value) {
            return new Options(bootstrapServers, host, port, value, topic, maxRequestBytes, storeTimeout);
        }

        public Options withTopic(String value) {
            return new Options(bootstrapServers, host, port, defaultLevel, value, maxRequestBytes, storeTimeout);
        }

        public Options withMaxRequestBytes(int value) {
            return new Options(bootstrapServers, host, port, defaultLevel, topic, value, storeTimeout);
        }

        public Options withStoreTimeout(Duration value) {
            return new Options(bootstrapServers, host, port, defaultLevel, topic, maxRequestBytes, value);
        }
    }

    private final SchemaLog log;
    private final EventLoopGroup loop;
    private final ExecutorService blocking;
    private final Channel channel;
    private final String url;
    private final int port;

    private RegistryServer(SchemaLog log, EventLoopGroup loop, ExecutorService blocking, Channel channel,
                           String host) {
        this.log = log;
        this.loop = loop;
        this.blocking = blocking;
        this.channel = channel;
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
        String urlHost = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        this.url = "http://" + (urlHost.contains(":") ? "[" + urlHost + "]" : urlHost) + ":" + port;
    }

    /** Starts on loopback with FULL compatibility; {@code port} 0 picks a free port. */
    public static RegistryServer start(String bootstrapServers, int port) {
        return start(Options.defaults(bootstrapServers, port));
    }

    /** Starts on loopback with the given default compatibility level. */
    public static RegistryServer start(String bootstrapServers, int port, AvroCompatibility.Level defaultLevel) {
        return start(Options.defaults(bootstrapServers, port).withDefaultLevel(defaultLevel));
    }

    /**
     * Starts with every option; returns once the storage topic is read and the port is open.
     *
     * @throws IllegalStateException naming the topic, the bootstrap servers or the port when it cannot start
     */
    public static RegistryServer start(Options options) {
        return start(options, state -> KafkaSchemaLog.open(options.bootstrapServers(), options.topic(), state::apply,
                options.storeTimeout()));
    }

    /** Starts over any log; tests pass one kept in memory. */
    static RegistryServer start(Options options, Function<SchemaState, SchemaLog> openLog) {
        SchemaState state = new SchemaState(options.defaultLevel());
        SchemaLog log = openLog.apply(state);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ExecutorService blocking = newWorkers();
        try {
            RegistryApi api = new RegistryApi(new SchemaStore(state, log));
            Channel channel = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new RegistryChannelInitializer(api, options.maxRequestBytes(), blocking))
                    .bind(options.host(), options.port())
                    .syncUninterruptibly()
                    .channel();
            RegistryServer server = new RegistryServer(log, loop, blocking, channel, options.host());
            LOG.info("schema registry listening at {} (storage topic {}, default compatibility {})", server.url,
                    options.topic(), options.defaultLevel());
            return server;
        } catch (RuntimeException e) {
            shutdown(loop, blocking);
            log.close();
            throw new IllegalStateException("schema registry cannot listen on " + options.host() + ":"
                    + options.port() + ": " + e.getMessage() + " (choose another --port, or 0 for any free port)", e);
        }
    }

    /** Base URL for clients, e.g. {@code http://127.0.0.1:8081}. */
    public String url() {
        return url;
    }

    /** The bound port (the chosen one when started with 0). */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        shutdown(loop, blocking);
        log.close();
    }

    private static void shutdown(EventLoopGroup loop, ExecutorService blocking) {
        // No quiet period: nothing is queued that matters once the port is closed.
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.shutdownNow();
    }

    /** Few threads: registrations are serialized anyway, reads are map lookups. Daemon so they never hold the JVM. */
    private static ExecutorService newWorkers() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "arena-registry-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String toString() {
        return "RegistryServer{url=" + url + "}";
    }
}
