package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.testing.LogCapture;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on a real socket: the handshake is timed ({@code tls_ms}), TTFT is also reported net of
 * connect and TLS ({@code ttft_net_ms}), and certificate, handshake and connect failures get
 * their outcomes. The server is {@link TlsSseServer} with a certificate made by {@code keytool}.
 */
class TlsProbeTest {

    static final String KEY = "sk-canary-4e1b7d90c2a35f68";

    /**
     * connect.timeout.ms = 1000 (also the TLS handshake timeout), first byte 3000, request 6000:
     * the handshake timer fires first, well before either HTTP deadline, and every test ends
     * within a few seconds.
     */
    static final Limits LIMITS = new Limits(1_000, 3_000, 6_000, 1024 * 1024, 4 * 1024 * 1024, 64L * 1024 * 1024);

    /** The server's pause between reading the request and writing the first token. */
    static final long FIRST_TOKEN_DELAY_MS = 300;

    @TempDir
    static Path dir;
    static TlsSseServer.Certificate loopbackCert;

    private final ResultAssembler assembler = new ResultAssembler(Tokenizer.O200K);
    private TlsSseServer server;
    private StreamingHttpClient client;

    @BeforeAll
    static void generateCertificate() throws Exception {
        loopbackCert = TlsSseServer.generateCertificate(dir, "loopback", "ip:127.0.0.1");
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static SslContext trusting(TlsSseServer.Certificate cert) throws Exception {
        return SslContextBuilder.forClient().trustManager(cert.certificate()).build();
    }

    private ProbeResult probe(String baseUrl) throws Exception {
        Endpoint e = StreamingHttpClientTest.endpoint(baseUrl, "openai-chat");
        HttpCall call = Protocols.call(e, KEY, "hello", 16, null);
        // 10 s is above every deadline in LIMITS: a timeout here means the client hung.
        Exchange ex = client.post(call, StreamParser.forProtocol("openai-chat")).get(10, TimeUnit.SECONDS);
        ProbeRequest req = new ProbeRequest("ep-1", "us-east", "a-0", 0, "timing-in1k-c1", "timing", 1000, 1, 16, 1000,
                null, null, null);
        return assembler.assemble(req, ex, 1_700_000_000_000L, KEY);
    }

    @Test
    void shouldMeasureConnectAndTlsAndReportNetTtftWhenCertificateIsTrusted() throws Exception {
        server = new TlsSseServer(loopbackCert, StreamingHttpClientTest.GOOD, FIRST_TOKEN_DELAY_MS);
        client = new StreamingHttpClient(1, Ticker.SYSTEM, LIMITS, trusting(loopbackCert));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("OK", r.getOutcome(), r.getError());
        assertEquals(200, r.getHttpStatus());
        assertEquals(2, r.getOutputTokens(), "'Hello' and ' there', read through TLS");
        assertEquals("stop", r.getFinishReason());
        // The request, key included, went through the encrypted channel to the server.
        assertEquals(1, server.received().size());
        assertEquals("/v1/chat/completions", server.received().get(0).path());
        assertEquals("Bearer " + KEY, server.received().get(0).authorization());

        assertNotNull(r.getConnectMs());
        assertTrue(r.getConnectMs() >= 0, "connect_ms " + r.getConnectMs());
        assertNotNull(r.getTlsMs(), "https: the handshake is timed");
        // A handshake is at least two round trips plus an ECDHE key agreement and an ECDSA
        // signature check: never 0 ns. It cannot exceed the handshake timeout (connect.timeout.ms)
        // either, or the request would have failed instead.
        assertTrue(r.getTlsMs() > 0 && r.getTlsMs() <= LIMITS.connectTimeoutMs(), "tls_ms " + r.getTlsMs());

        // The server starts its 300 ms timer after reading the request, which needs connect and
        // handshake done, and the role chunk it sends before the timer carries no token. So the
        // first token arrives at least 300 ms after start, and still 300 ms after start once
        // connect and TLS are taken out.
        assertTrue(r.getTtftMs() >= FIRST_TOKEN_DELAY_MS, "ttft_ms " + r.getTtftMs());
        assertTrue(r.getTtftNetMs() >= FIRST_TOKEN_DELAY_MS, "ttft_net_ms " + r.getTtftNetMs());
        assertTrue(r.getTtftMs() <= r.getE2eMs());
        // Measurements.compute: ttft_net = ttft - connect - tls, from the same nanosecond readings
        // the result's connect_ms and tls_ms are made of.
        assertEquals(r.getTtftMs() - r.getConnectMs() - r.getTlsMs(), r.getTtftNetMs(), 1e-6);
        assertTrue(r.getTtftNetMs() < r.getTtftMs(), "net of a handshake > 0 ms is smaller");
    }

    @Test
    void shouldReportTlsErrorNamingCertificatePathWhenDefaultTrustRejectsCertificate() throws Exception {
        server = new TlsSseServer(loopbackCert, StreamingHttpClientTest.GOOD, 0);
        // The agent's own constructor: the JDK's default trust store, which has never seen this
        // certificate. (The client logs nothing itself; log lines are checked through the agent below.)
        client = new StreamingHttpClient(1, Ticker.SYSTEM, LIMITS);
        ProbeResult r = probe(server.baseUrl());

        assertEquals("TLS_ERROR", r.getOutcome(), r.getError());
        String prefix = "TLS handshake with 127.0.0.1:" + server.port() + " failed: ";
        assertTrue(r.getError().startsWith(prefix), r.getError());
        // The JDK's PKIX check fails with "unable to find valid certification path to requested target".
        assertTrue(r.getError().contains("certification path"), r.getError());
        assertFalse(r.getError().contains(KEY) || r.getError().contains("sk-canary"), r.getError());
        assertNotNull(r.getConnectMs(), "TCP connected before the handshake failed");
        assertNull(r.getTlsMs(), "no handshake completed");
        assertNull(r.getHttpStatus());
        assertNull(r.getTtftMs());
        assertTrue(server.received().isEmpty(), "the request (and its key) never left the client");
    }

    @Test
    void shouldKeepCanaryKeyOutOfResultsAndLogsWhenAgentRefusesUntrustedCertificate() throws Exception {
        server = new TlsSseServer(loopbackCert, StreamingHttpClientTest.GOOD, 0);
        Endpoint endpoint = Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat"))
                .setApiKeyEnv("ACME_KEY").build();
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.putAll(Map.of("input.tokens", "100", "concurrency", "1", "canary.count", "1", "needle.lengths", "150",
                "connect.timeout.ms", "1000"));
        List<ProbeResult> results = new CopyOnWriteArrayList<>();
        try (LogCapture logs = new LogCapture()) {
            try (ProbeAgent agent = new ProbeAgent(new ProbeAgentConfig(cfg), () -> List.of(endpoint), results::add,
                    ProbeAgentTest.FIXED, Ticker.SYSTEM, name -> name.equals("ACME_KEY") ? KEY : null)) {
                agent.runRound().get(30, TimeUnit.SECONDS);
            }
            // One timing, one canary, one needle request, all refused at the handshake.
            assertEquals(3, results.size());
            for (ProbeResult r : results) {
                assertEquals("TLS_ERROR", r.getOutcome(), r.getError());
                assertTrue(r.getError().contains("certification path"), r.getError());
                assertFalse(r.toString().contains("sk-canary"), "key leaked into " + r);
            }
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("TLS_ERROR")), "the failures were logged: " + logs.lines());
            for (String line : logs.lines()) {
                assertFalse(line.contains("sk-canary"), "key leaked into log: " + line);
            }
        }
        assertTrue(server.received().isEmpty(), "no request was sent over an untrusted connection");
    }

    @Test
    void shouldReportTlsErrorWhenTrustedCertificateNamesAnotherHost() throws Exception {
        // Trusted, but issued for localhost only: the client connects to 127.0.0.1, so hostname
        // verification (Netty 4.2 clients verify by default) must refuse it.
        TlsSseServer.Certificate other = TlsSseServer.generateCertificate(dir, "localhost-only", "dns:localhost");
        server = new TlsSseServer(other, StreamingHttpClientTest.GOOD, 0);
        client = new StreamingHttpClient(1, Ticker.SYSTEM, LIMITS, trusting(other));
        ProbeResult r = probe(server.baseUrl());

        assertEquals("TLS_ERROR", r.getOutcome(), r.getError());
        // JDK hostname check: "CertificateException: No subject alternative names matching IP address 127.0.0.1 found".
        assertTrue(r.getError().contains("subject alternative names matching IP address 127.0.0.1"), r.getError());
        assertNull(r.getTlsMs());
        assertTrue(server.received().isEmpty(), "the request never left the client");
    }

    @Test
    void shouldReportTlsErrorWithinHandshakeTimeoutWhenServerNeverSpeaksTls() throws Exception {
        client = new StreamingHttpClient(1, Ticker.SYSTEM, LIMITS, trusting(loopbackCert));
        CompletableFuture<Integer> firstByte = new CompletableFuture<>();
        CompletableFuture<Void> clientClosed = new CompletableFuture<>();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread reader = new Thread(() -> {
                try (Socket s = silent.accept(); InputStream in = s.getInputStream()) {
                    firstByte.complete(in.read());
                    while (in.read() >= 0) {
                        // swallow the ClientHello and say nothing
                    }
                    clientClosed.complete(null);
                } catch (Exception e) {
                    firstByte.completeExceptionally(e);
                    clientClosed.completeExceptionally(e);
                }
            }, "silent-tls-server");
            reader.setDaemon(true);
            reader.start();

            ProbeResult r = probe("https://127.0.0.1:" + silent.getLocalPort() + "/v1");

            // StreamingHttpClient uses connect.timeout.ms as the SslHandler's handshake timeout and
            // maps every failed handshake to TLS_ERROR, a handshake timeout included; TIMEOUT is
            // kept for the HTTP deadlines (first.byte.timeout.ms, request.timeout.ms), which only
            // start once a request could be sent.
            assertEquals("TLS_ERROR", r.getOutcome(), r.getError());
            assertTrue(r.getError().startsWith("TLS handshake with 127.0.0.1:" + silent.getLocalPort() + " failed: "),
                    r.getError());
            // The limit is named in the error, like every other limit (README, Outcomes).
            assertTrue(r.getError().endsWith("SslHandshakeTimeoutException: handshake timed out after 1000ms"
                    + " (connect.timeout.ms=1000)"), r.getError());
            assertNotNull(r.getConnectMs(), "TCP was accepted");
            assertNull(r.getTlsMs());
            // Ended by the 1000 ms handshake timer (armed after connect), not earlier and not by the
            // 6000 ms request timer: 1000 <= e2e, with 2 s of slack for a loaded machine below 6000.
            assertTrue(r.getE2eMs() >= LIMITS.connectTimeoutMs() && r.getE2eMs() < 3_000, "e2e_ms " + r.getE2eMs());
            // The client did try TLS: the first byte it sent is a handshake record (content type 22).
            assertEquals(0x16, firstByte.get(1, TimeUnit.SECONDS));
            // And it let go of the connection rather than leaving it open.
            clientClosed.get(2, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldReportConnectErrorWhenHttpsPortIsClosed() throws Exception {
        client = new StreamingHttpClient(1, Ticker.SYSTEM, LIMITS, trusting(loopbackCert));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProbeResult r = probe("https://127.0.0.1:" + port + "/v1");

        assertEquals("CONNECT_ERROR", r.getOutcome(), r.getError());
        assertTrue(r.getError().startsWith("cannot connect to 127.0.0.1:" + port), r.getError());
        assertNull(r.getConnectMs(), "no connection, no connect time");
        assertNull(r.getTlsMs(), "no handshake was attempted");
        assertNull(r.getTtftNetMs());
    }
}
