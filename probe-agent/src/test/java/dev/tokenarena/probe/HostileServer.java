package dev.tokenarena.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A raw TCP server that answers each request with exactly the bytes a misbehaviour calls for
 * (a broken status line, a reset, one byte a second...), chosen by the first path segment:
 * {@code http://127.0.0.1:port/<behaviour>/v1/chat/completions}. Timed writes run on a
 * scheduler, not a sleeping thread. Counts every byte it wrote.
 */
final class HostileServer implements AutoCloseable {

    /** What the server does with one accepted, fully read request. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Conn conn) throws IOException;
    }

    /** One connection. {@link #keepOpen()} leaves the socket to a timed writer or to the client. */
    static final class Conn {
        final Socket socket;
        final OutputStream out;
        private final ScheduledExecutorService timer;
        private final AtomicLong written;
        boolean open;

        Conn(Socket socket, ScheduledExecutorService timer, AtomicLong written) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.timer = timer;
            this.written = written;
        }

        void write(String s) throws IOException {
            write(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] b) throws IOException {
            out.write(b);
            out.flush();
            written.addAndGet(b.length);
        }

        void keepOpen() {
            open = true;
        }

        /** Writes what {@code next} returns every {@code periodMs} until it returns null or the client hangs up. */
        void every(long periodMs, Supplier<byte[]> next) {
            open = true;
            AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
            self.set(timer.scheduleAtFixedRate(() -> {
                byte[] b = next.get();
                try {
                    if (b == null) {
                        throw new IOException("done");
                    }
                    write(b);
                } catch (IOException e) {
                    quietClose(socket);
                    ScheduledFuture<?> f = self.get();
                    if (f != null) {
                        f.cancel(false);
                    }
                }
            }, 0, periodMs, TimeUnit.MILLISECONDS));
        }
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<Socket, Boolean> sockets = new ConcurrentHashMap<>();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean closed;

    HostileServer() throws IOException {
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    String baseUrl(String behaviour) {
        return "http://127.0.0.1:" + server.getLocalPort() + "/" + behaviour + "/v1";
    }

    void on(String name, Behaviour b) {
        behaviours.put(name, b);
    }

    long bytesWritten() {
        return written.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.put(s, true);
                pool.execute(() -> handle(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        boolean keep = false;
        try {
            String path = readRequest(s.getInputStream());
            String name = path.split("/")[1];
            Behaviour b = behaviours.get(name);
            Conn c = new Conn(s, timer, written);
            if (b == null) {
                c.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            } else {
                b.serve(c);
            }
            keep = c.open;
        } catch (IOException | RuntimeException e) {
            // the client hung up first (limits, timeouts): expected here
        } finally {
            if (!keep) {
                quietClose(s);
            }
        }
    }

    /** Reads the request head and its Content-Length body; returns the path. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("eof in request head");
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return text.split(" ")[1];
    }

    static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.keySet().forEach(HostileServer::quietClose);
        timer.shutdownNow();
        pool.shutdownNow();
    }
}
