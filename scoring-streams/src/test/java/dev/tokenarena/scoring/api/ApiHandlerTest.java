package dev.tokenarena.scoring.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The handler without a streams client: what it answers before the app is attached, and to bad requests. */
class ApiHandlerTest {

    private static FullHttpResponse call(HttpMethod method, String uri) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpObjectAggregator(ApiServer.MAX_REQUEST_BYTES),
                new ApiHandler(() -> null));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse response = ch.readOutbound();
        ch.finishAndReleaseAll();
        return response;
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenNoStreamsClientIsAttachedYet() {
        FullHttpResponse r = call(HttpMethod.GET, "/leaderboard/chat");
        try {
            assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, r.status());
            assertEquals("1", r.headers().get("Retry-After"));
            assertTrue(r.content().toString(StandardCharsets.UTF_8).contains("starting"));
        } finally {
            r.release();
        }
    }

    @Test
    void shouldRefuseWhenMethodIsNotGet() {
        FullHttpResponse r = call(HttpMethod.POST, "/alerts");
        try {
            assertEquals(HttpResponseStatus.METHOD_NOT_ALLOWED, r.status());
        } finally {
            r.release();
        }
    }

    @Test
    void shouldFormatOneServerSentEventWhenAnAlertIsBroadcast() {
        // one JSON line per event, ended by a blank line (the SSE record separator)
        assertEquals("id: 3-17\nevent: alert\ndata: {\"a\":1}\n\n", AlertFeed.sseEvent("3-17", "alert", "{\"a\":1}"));
    }
}
