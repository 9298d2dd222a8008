package dev.tokenarena.scoring.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another instance of the same application for data it hosts. Plain request/response of
 * small JSON bodies, so the JDK client does: the Netty pipeline stays the server. Every answer
 * is bounded in size and time.
 */
final class PeerClient {

    /** Largest body accepted from a peer; a leaderboard of a few hundred rows is far below it. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    static final String FORWARDED_HEADER = "X-Arena-Forwarded";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration timeout;

    PeerClient(Duration timeout) {
        this.timeout = timeout;
    }

    record Reply(int status, String body) {
    }

    Reply get(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header(FORWARDED_HEADER, "1").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
                if (body.length > MAX_BODY_BYTES) {
                    throw new Unavailable("peer " + host + " answered more than " + MAX_BODY_BYTES + " bytes for "
                            + pathAndQuery);
                }
                return new Reply(response.statusCode(), new String(body, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new Unavailable("peer " + host + " did not answer " + pathAndQuery + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking peer " + host, e);
        }
    }
}
