package dev.tokenarena.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import dev.tokenarena.schemas.admin.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (combined broker and controller) in this JVM, for the demo and
 * for integration tests. The storage directory is formatted in-process and the server is
 * Kafka's own {@code KafkaRaftServer}. Those are internal classes that have moved between
 * releases, so they are touched here and nowhere else.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static volatile EmbeddedKafka shared;

    private final kafka.server.KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(kafka.server.KafkaRaftServer server, String bootstrapServers, Path dataDir,
                          boolean deleteOnClose) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * One broker per JVM for tests, in a fresh directory under java.io.tmpdir, stopped when the
     * JVM exits. Tests share it and use unique topic names.
     */
    public static synchronized EmbeddedKafka shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("arena-kafka-");
                EmbeddedKafka kafka = start(dir, 0, Map.of(), true);
                Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-shutdown"));
                shared = kafka;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for the embedded broker", e);
            }
        }
        return shared;
    }

    /**
     * Formats {@code dataDir} (when new) and starts a broker listening on 127.0.0.1:port.
     *
     * @param port the client port, 0 for any free port
     * @param overrides extra broker settings
     * @param deleteOnClose remove the data directory on close
     * @throws IllegalStateException naming the port when it is taken
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides, boolean deleteOnClose) {
        int clientPort = port == 0 ? freePort() : requireFree(port, "Kafka broker");
        int controllerPort = freePort();
        Path logDir = dataDir.resolve("logs");
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "6");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "6");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's dedupe buffer defaults to 128 MiB of heap; a few MiB serve an embedded broker.
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        props.put("log.cleaner.io.buffer.size", Integer.toString(512 * 1024));
        props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        props.putAll(overrides);
        try {
            Files.createDirectories(logDir);
            Path config = dataDir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config)) {
                props.store(out, "generated by TokenArena EmbeddedKafka");
            }
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config);
            }
            Map<String, Object> map = new HashMap<>();
            props.forEach((k, v) -> map.put((String) k, v));
            kafka.server.KafkaConfig kafkaConfig = new kafka.server.KafkaConfig(map, false);
            kafka.server.KafkaRaftServer server = new kafka.server.KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            long started = System.nanoTime();
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, "127.0.0.1:" + clientPort, dataDir, deleteOnClose);
            kafka.awaitReady(Duration.ofSeconds(60));
            LOG.info("embedded Kafka broker ready at {} in {} ms (data {})", kafka.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare broker directory " + dataDir, e);
        }
    }

    private static void format(Path config) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String clusterId = Uuid.randomUuid().toString();
        int code;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            code = kafka.tools.StorageTool.execute(new String[] {
                "format", "-t", clusterId, "-c", config.toString(), "--ignore-formatted"}, out);
        }
        if (code != 0) {
            throw new IllegalStateException("formatting broker storage failed (code " + code + "): "
                    + buffer.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the broker", e);
            }
        }
        throw new IllegalStateException("embedded broker at " + bootstrapServers + " not ready within " + timeout, last);
    }

    /** host:port of the broker's client listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A new admin client; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    /**
     * Creates topics, ignoring those that exist, and waits until every partition has a leader:
     * a creation future completes before leader election does, and a client that reads at once
     * would be told the broker "does not host this topic-partition".
     */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            TopicAdmin.createTopics(admin, topics, Duration.ofSeconds(30));
        }
    }

    /** Creates one topic with the given partitions, ignoring it when it exists. */
    public void createTopic(String name, int partitions) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1)));
    }

    /** Stops the broker (idempotent: Kafka's own shutdown must not run twice). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("embedded broker shutdown: {}", e.toString());
        }
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    /** A port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Returns the port when it can be bound; otherwise fails naming what wanted it. */
    public static int requireFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " for the " + what
                    + " is already in use; pick another with the matching --*-port option", e);
        }
    }
}
