package dev.tokenarena.registry;

import dev.tokenarena.schemas.registry.AvroCompatibility;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the registry alone: {@code --bootstrap host:port [--port 8081] [--host 0.0.0.0]
 * [--compatibility FULL] [--topic NAME]}; {@code ARENA_BOOTSTRAP_SERVERS} stands in for
 * {@code --bootstrap} as in {@code CommonConfig}. Exits 2 with a one-line reason on bad arguments and 1
 * when it cannot start; stops cleanly on SIGTERM.
 */
public final class RegistryMain {

    static final String USAGE = "usage: registry --bootstrap host:port [--port 8081] [--host 0.0.0.0]"
            + " [--compatibility FULL] [--topic NAME]";

    private RegistryMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        RegistryServer.Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("registry: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        RegistryServer server;
        try {
            server = RegistryServer.start(options);
        } catch (RuntimeException e) {
            System.err.println("registry: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "registry-shutdown"));
        System.out.println("schema registry ready at " + server.url());
        stopped.await();
    }

    /** Parses the command line; the message names the bad flag. Package-private for tests. */
    static RegistryServer.Options parse(String[] args) {
        String bootstrap = System.getenv("ARENA_BOOTSTRAP_SERVERS");
        // A standalone registry serves other hosts (containers), so it binds every interface unless told.
        String host = "0.0.0.0";
        int port = 8081;
        AvroCompatibility.Level level = AvroCompatibility.Level.FULL;
        String topic = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("help requested");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--bootstrap" -> bootstrap = value;
                case "--host" -> host = value;
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port must be a number 0..65535, got '" + value + "'");
                    }
                }
                case "--compatibility" -> level = AvroCompatibility.Level.parse(value);
                case "--topic" -> topic = value;
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("--bootstrap host:port is required (or set ARENA_BOOTSTRAP_SERVERS)");
        }
        RegistryServer.Options options = RegistryServer.Options.defaults(bootstrap, port).withHost(host)
                .withDefaultLevel(level);
        return topic == null ? options : options.withTopic(topic);
    }
}
