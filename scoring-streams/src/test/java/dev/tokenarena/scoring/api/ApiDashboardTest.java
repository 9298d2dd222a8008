package dev.tokenarena.scoring.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dashboard page as loaded at startup: bounds, failures, and the policy's hashes. */
class ApiDashboardTest {

    @Test
    void shouldFailFastNamingTheResourceWhenThePageIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DashboardPage.load("/dashboard/no-such-page.html", DashboardPage.MAX_BYTES));
        assertTrue(e.getMessage().contains("/dashboard/no-such-page.html is not on the classpath"), e.getMessage());
    }

    @Test
    void shouldRefuseThePageWhenItIsLargerThanTheLimit() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DashboardPage.load(DashboardPage.RESOURCE, 1024));
        assertTrue(e.getMessage().contains("larger than 1024 bytes"), e.getMessage());
    }

    @Test
    void shouldShipAPageWithinTheLimitWhoseBlocksThePolicyAdmits() {
        DashboardPage page = DashboardPage.load();
        String html = page.html();
        assertTrue(html.getBytes(StandardCharsets.UTF_8).length < DashboardPage.MAX_BYTES);
        // the blocks cut out by hand (first tag to its end tag), hashed with the JDK directly
        String script = html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>"));
        String style = html.substring(html.indexOf("<style>") + 7, html.indexOf("</style>"));
        assertTrue(page.contentSecurityPolicy().contains("script-src '" + DashboardPage.sha256(script) + "'"));
        assertTrue(page.contentSecurityPolicy().contains("style-src '" + DashboardPage.sha256(style) + "'"));
    }

    @Test
    void shouldHashTheWayCspSourcesAreWritten() {
        // SHA-256 of the empty string is e3b0c442...b855; in base64 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
        assertEquals("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", DashboardPage.sha256(""));
    }

    @Test
    void shouldServeAndHashLineFeedsWhenTheResourceHasCarriageReturns() {
        // browsers normalize CR LF to LF before hashing an inline block, so the server must hash (and
        // serve) the normalized text or a checkout with CRLF endings would block its own script
        DashboardPage page = DashboardPage.parse("<style>a{}</style>\r\n<script>\r\nx();\r\n</script>\r\n");
        assertFalse(page.html().contains("\r"));
        assertTrue(page.contentSecurityPolicy().contains("script-src '" + DashboardPage.sha256("\nx();\n") + "'"));
    }

    @Test
    void shouldRefuseAPageWhenItHasNotExactlyOneScriptAndOneStyleBlock() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> DashboardPage.parse("<style></style><p>no script</p>"));
        assertTrue(none.getMessage().contains("no <script> block"), none.getMessage());
        IllegalStateException two = assertThrows(IllegalStateException.class,
                () -> DashboardPage.parse("<style></style><script>a()</script><script>b()</script>"));
        assertTrue(two.getMessage().contains("more than one <script> block"), two.getMessage());
    }
}
