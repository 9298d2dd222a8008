package dev.tokenarena.sink;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the sink tests, started from the machine's binaries ({@code
 * initdb}, {@code pg_ctl}: on PATH or under /usr/lib/postgresql/N/bin; `.ci/run` installs
 * Debian's postgresql package) in a fresh data directory on a free loopback port, trust
 * authentication. PostgreSQL refuses to run as root, so as root it runs as the {@code postgres}
 * user through {@code runuser}. One server per test JVM ({@link #shared}), stopped at exit.
 */
final class PostgresServer {

    private static PostgresServer shared;
    private static String unavailable;

    private final Path bin;
    private final Path root;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path bin, Path root, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The binaries' directory, or empty when PostgreSQL is not installed here. */
    static Optional<Path> binaries() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            candidates.add(Path.of(dir));
        }
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException e) {
                // no versions listed: PATH only
            }
        }
        return candidates.stream().filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
                .map(d -> {
                    try {
                        return d.resolve("initdb").toRealPath().getParent();
                    } catch (IOException e) {
                        return d;
                    }
                }).findFirst();
    }

    /** Why no server can run here, or null when one can; for {@code assumeTrue} messages. */
    static synchronized String unavailableReason() {
        if (shared != null) {
            return null;
        }
        if (unavailable == null) {
            try {
                shared();
            } catch (IllegalStateException e) {
                unavailable = e.getMessage();
            }
        }
        return unavailable;
    }

    /** The JVM's server, started on first use. */
    static synchronized PostgresServer shared() {
        if (shared == null) {
            Path bin = binaries().orElseThrow(() -> new IllegalStateException(
                    "PostgreSQL is not installed (no initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin); "
                            + "apt-get install postgresql"));
            try {
                boolean root = "root".equals(System.getProperty("user.name"));
                // As root the server runs as postgres, who must reach its data directory: under /tmp,
                // not under the checkout (whose parents may be closed to other users).
                Path dir = root ? Files.createTempDirectory(Path.of("/tmp"), "arena-pg-") : Files.createTempDirectory("arena-pg-");
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                PostgresServer server = new PostgresServer(bin, dir, freePort(), root);
                server.start();
                Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndDelete, "postgres-stop"));
                shared = server;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start PostgreSQL from " + bin + ": " + e.getMessage(), e);
            }
        }
        return shared;
    }

    private void start() throws IOException {
        Files.createDirectories(data);
        if (asPostgresUser) {
            UserPrincipal postgres = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(data, postgres);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-locale", "--no-sync"), 120);
        start(60);
    }

    /** Starts the server on its data directory (again after {@link #stop}). */
    void start(int timeoutS) throws IOException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", data.resolve("server.log").toString(),
                "-w", "-t", Integer.toString(timeoutS), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + data + " -c fsync=off -c max_connections=50",
                "start"), timeoutS + 10);
    }

    /** Stops the server fast (its clients see their connections fail). */
    void stop() throws IOException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"), 60);
    }

    private void stopAndDelete() {
        try {
            stop();
        } catch (IOException | RuntimeException e) {
            // at JVM exit: nothing left to report to
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a leftover directory under /tmp is harmless
        }
    }

    private void run(List<String> command, int timeoutS) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out.trim());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A JDBC URL of a new empty database, so tests do not see each other's tables. */
    String newDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + name);
            c.createStatement().execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    Path root() {
        return root;
    }
}
