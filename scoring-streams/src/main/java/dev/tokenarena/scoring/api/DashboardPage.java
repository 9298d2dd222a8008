package dev.tokenarena.scoring.api;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard: one self-contained HTML page (inline style and script, no other origin) over the
 * JSON routes and the alert stream. Read from the classpath once, when the server is built, so a
 * broken jar fails at startup rather than on the first browser visit.
 *
 * <p>The Content-Security-Policy admits the page's own inline style and script by their SHA-256
 * hashes, worked out here from the bytes served, rather than by {@code 'unsafe-inline'}: the
 * page renders strings that come from catalogues and providers (endpoint ids, alert summaries),
 * and with hashes a string that ever slipped into markup still could not run as script. It costs
 * one digest per block at startup; the page must therefore keep exactly one of each.
 */
final class DashboardPage {

    static final String RESOURCE = "/dashboard/index.html";
    /** The page is a few tens of KiB; anything near this is not the page we ship. */
    static final int MAX_BYTES = 256 * 1024;

    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

    private final byte[] body;
    private final String html;
    private final String contentSecurityPolicy;

    private DashboardPage(String html) {
        // browsers turn CR LF into LF before hashing an inline block; serve what they will hash
        this.html = html.replace("\r\n", "\n").replace('\r', '\n');
        this.body = this.html.getBytes(StandardCharsets.UTF_8);
        String style = single(STYLE, "<style>");
        String script = single(SCRIPT, "<script>");
        // only same-origin requests (fetch, EventSource); nothing else may load, embed or be embedded
        this.contentSecurityPolicy = "default-src 'none'; connect-src 'self'; script-src '" + sha256(script)
                + "'; style-src '" + sha256(style) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** The shipped page, from the classpath. */
    static DashboardPage load() {
        return load(RESOURCE, MAX_BYTES);
    }

    static DashboardPage load(String resource, int maxBytes) {
        try (InputStream in = DashboardPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("dashboard page " + resource + " is not on the classpath; "
                        + "the scoring-streams jar is incomplete (rebuild it)");
            }
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IllegalStateException("dashboard page " + resource + " is larger than " + maxBytes
                        + " bytes; refusing to serve it");
            }
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dashboard page " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A page from its text; fails unless it has exactly one inline style and one inline script block. */
    static DashboardPage parse(String html) {
        return new DashboardPage(html);
    }

    /** The page text as served. */
    String html() {
        return html;
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    /** A fresh response per request; the bytes are shared, never copied. */
    FullHttpResponse response() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        // data comes from the JSON routes; the page itself changes only with a deploy, which must show at once
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, contentSecurityPolicy);
        response.headers().set("X-Content-Type-Options", "nosniff");
        return response;
    }

    private String single(Pattern block, String tag) {
        Matcher m = block.matcher(html);
        if (!m.find()) {
            throw new IllegalStateException("dashboard page " + RESOURCE + " has no " + tag + " block");
        }
        String content = m.group(1);
        if (m.find()) {
            throw new IllegalStateException("dashboard page " + RESOURCE + " has more than one " + tag
                    + " block; the Content-Security-Policy hashes exactly one");
        }
        return content;
    }

    static String sha256(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }
}
