package dev.tokenarena.scoring.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The handler without a streams client: what it answers before the app is attached, to bad
 * requests, and the dashboard page (served without one).
 */
class ApiHandlerTest {

    private static final DashboardPage PAGE = DashboardPage.load();
    /** A call of the page's request helper or of EventSource, and what its argument starts with. */
    private static final Pattern REQUEST = Pattern.compile("(function\\s+)?\\b(getJson|EventSource|fetch)\\s*\\(\\s*([^,)]*)");
    private static final Pattern PATH_LITERAL = Pattern.compile("'(/[^']*)'.*");

    private static FullHttpResponse call(HttpMethod method, String uri) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpObjectAggregator(ApiServer.MAX_REQUEST_BYTES),
                new ApiHandler(() -> null, PAGE));
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

    @Test
    void shouldServeTheDashboardWithHtmlTypeNoCacheAndSameOriginPolicyWhenNoStreamsClientIsAttachedYet() {
        for (String path : List.of("/", "/dashboard", "/?preset=chat")) {
            FullHttpResponse r = call(HttpMethod.GET, path);
            try {
                assertEquals(HttpResponseStatus.OK, r.status(), path);
                assertEquals("text/html; charset=utf-8", r.headers().get("Content-Type"));
                assertEquals("no-cache", r.headers().get("Cache-Control"));
                assertEquals("nosniff", r.headers().get("X-Content-Type-Options"));
                String csp = r.headers().get("Content-Security-Policy");
                assertTrue(csp.startsWith("default-src 'none'; connect-src 'self'; script-src 'sha256-"), csp);
                assertFalse(csp.contains("unsafe") || csp.contains("http") || csp.contains("*"), csp);
                String body = r.content().toString(StandardCharsets.UTF_8);
                assertEquals(PAGE.html(), body);
                assertEquals(body.getBytes(StandardCharsets.UTF_8).length, r.headers().getInt("Content-Length"));
            } finally {
                r.release();
            }
        }
    }

    @Test
    void shouldKeepAnswering404WhenThePathIsUnknown() {
        for (String path : List.of("/nope", "/dashboard/x", "/index.html", "/leaderboard")) {
            FullHttpResponse r = call(HttpMethod.GET, path);
            try {
                assertEquals(HttpResponseStatus.NOT_FOUND, r.status(), path);
                assertTrue(r.content().toString(StandardCharsets.UTF_8).contains("unknown path"), path);
            } finally {
                r.release();
            }
        }
    }

    @Test
    void shouldRequestOnlyPublicApiRoutesWhenTheDashboardCallsTheApi() {
        List<String> paths = requestedPaths(script(PAGE.html()));
        // the page's requests, by hand: leaderboard per preset, endpoint detail (presets and the
        // detail panel), health, open alerts, the alert stream
        assertEquals(List.of("/leaderboard/", "/endpoints/", "/health", "/endpoints/", "/alerts?state=OPEN",
                "/alerts/stream"), paths);
        for (String literal : paths) {
            assertServed(literal);
        }
    }

    @Test
    void shouldFlagAPageThatCallsAMissingRouteOrBuildsAPathOutOfSight() {
        // the checks above, on scripts that must fail them: a route that does not exist, a path
        // from a variable (not checkable), and a second raw fetch next to the helper's
        AssertionError missing = assertThrowsAssertion(() -> requestedPaths("getJson('/leaderboards/' + p)")
                .forEach(ApiHandlerTest::assertServed));
        assertTrue(missing.getMessage().contains("/leaderboards/"), missing.getMessage());
        assertThrowsAssertion(() -> requestedPaths("var u = '/health'; getJson(u);"));
        assertThrowsAssertion(() -> requestedPaths("async function getJson(path) { fetch(path); fetch('/health'); }"));
        assertThrowsAssertion(() -> requestedPaths("new EventSource(streamUrl)"));
    }

    @Test
    void shouldLoadNothingFromAnotherOriginWhenTheDashboardRenders() {
        String html = PAGE.html();
        // no src/href attribute at all (no scripts, styles, images or fonts to fetch), and the one
        // absolute URL is the SVG namespace, an identifier that is never fetched
        assertFalse(Pattern.compile("\\b(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find());
        assertFalse(html.contains("@import") || html.contains("url("), "CSS that loads something");
        assertEquals(List.of("http://www.w3.org/2000/svg"), Pattern.compile("https?://[^'\"\\s)]*").matcher(html)
                .results().map(m -> m.group()).toList());
    }

    /** The inline script, the one block the policy admits by its hash. */
    private static String script(String html) {
        Matcher m = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertTrue(m.find(), "no <script> block");
        return m.group(1);
    }

    /**
     * The path literals the script requests, in order. Every request must start with a literal
     * path, so the check sees every route; the only raw fetch is the one inside the helper.
     */
    private static List<String> requestedPaths(String script) {
        List<String> paths = new ArrayList<>();
        int rawFetches = 0;
        Matcher m = REQUEST.matcher(script);
        while (m.find()) {
            if (m.group(1) != null) {
                continue; // the helper's own definition
            }
            String argument = m.group(3).trim();
            if (m.group(2).equals("fetch")) {
                rawFetches++;
                assertEquals("path", argument, "fetch outside the getJson helper");
                continue;
            }
            Matcher literal = PATH_LITERAL.matcher(argument);
            assertTrue(literal.matches(), "a request whose path does not start with a '/' literal: " + m.group());
            paths.add(literal.group(1));
        }
        assertTrue(rawFetches <= 1, "more than one raw fetch");
        return paths;
    }

    /** Served: the handler routes it (503 "starting" with no streams client), not 404 and not the page. */
    private static void assertServed(String literal) {
        String uri = literal.endsWith("/") ? literal + "chat" : literal;
        ApiHandler.Route route = ApiHandler.Route.of(new io.netty.handler.codec.http.QueryStringDecoder(uri).path());
        assertFalse(route == ApiHandler.Route.UNKNOWN || route == ApiHandler.Route.DASHBOARD
                || route.name().startsWith("INTERNAL"), literal + " is not a public API route: " + route);
        FullHttpResponse r = call(HttpMethod.GET, uri);
        try {
            assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, r.status(), literal);
        } finally {
            r.release();
        }
    }

    private static AssertionError assertThrowsAssertion(Runnable check) {
        return org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, check::run);
    }
}
