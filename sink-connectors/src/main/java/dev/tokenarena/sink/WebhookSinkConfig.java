package dev.tokenarena.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of {@link WebhookSinkConnector}, declared once and parsed into typed fields. The URL
 * and the HMAC secret are passwords: a Slack incoming-webhook URL carries its secret in the path,
 * and Connect masks password values in its logs and REST answers. {@link #toString()} shows
 * neither.
 */
public final class WebhookSinkConfig extends AbstractConfig {

    public static final String URL = "webhook.url";
    public static final String FORMAT = "webhook.format";
    public static final String HMAC_SECRET = "webhook.hmac.secret";
    public static final String TIMEOUT_MS = "webhook.timeout.ms";
    public static final String MAX_RETRIES = "webhook.max.retries";
    public static final String RETRY_BACKOFF_MS = "webhook.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "webhook.retry.backoff.max.ms";
    public static final String SCHEMA_REGISTRY_URL = RegistrySettings.URL;
    public static final String SCHEMA_REGISTRY_CLIENT_FACTORY = RegistrySettings.FACTORY;

    /** How an alert becomes a request body. */
    public enum Format {
        /** The alert itself as plain JSON ({@code AvroJson}). */
        JSON,
        /** A Slack incoming-webhook body, {@code {"text": "<one-line summary>"}}. */
        SLACK
    }

    private static final String GROUP = "Webhook";

    public static final ConfigDef CONFIG_DEF = RegistrySettings.define(new ConfigDef()
            .define(URL, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, new HttpUrlValidator(
                    "the receiver's URL, e.g. https://hooks.example.com/arena", "http(s)://host[:port][/path]", true),
                    ConfigDef.Importance.HIGH,
                    "URL every alert is POSTed to, http(s)://host[:port][/path]. A password setting because a "
                            + "Slack incoming-webhook URL is itself a secret: logs and errors show only scheme, "
                            + "host and port. Redirects are not followed.",
                    GROUP, 1, ConfigDef.Width.LONG, "Webhook URL")
            .define(FORMAT, ConfigDef.Type.STRING, "json",
                    ConfigDef.CaseInsensitiveValidString.in("json", "slack"), ConfigDef.Importance.HIGH,
                    "Request body: json sends the alert as plain JSON (fields as in the DriftAlert schema, unions "
                            + "unwrapped); slack sends {\"text\": \"...\"} with a one-line summary (state, kind, "
                            + "endpoint, severity, metric with current/baseline/threshold, the alert's summary) for a "
                            + "Slack incoming webhook.",
                    GROUP, 2, ConfigDef.Width.SHORT, "Body format")
            .define(HMAC_SECRET, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.MEDIUM,
                    "Shared secret for request signatures; unset sends none. When set, each request carries "
                            + "X-Arena-Timestamp: <epoch ms of this attempt> and X-Arena-Signature: sha256=<lowercase "
                            + "hex of HMAC-SHA256(secret, timestamp + \".\" + body)>, the body being the exact bytes "
                            + "sent (UTF-8). Receivers should recompute it over the raw body before parsing, compare "
                            + "in constant time and reject old timestamps. Never logged.",
                    GROUP, 3, ConfigDef.Width.LONG, "HMAC secret")
            .define(TIMEOUT_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), ConfigDef.Importance.LOW,
                    "Milliseconds to connect and, separately, to receive the response of one attempt; a timeout is "
                            + "retried like a 5xx.",
                    GROUP, 4, ConfigDef.Width.SHORT, "Timeout (ms)")
            .define(MAX_RETRIES, ConfigDef.Type.INT, 5, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW,
                    "Retries of one alert within a put after 429, 408, 5xx, 3xx or a connect/timeout error. When "
                            + "they are used up the task throws RetriableException: Connect redelivers the batch "
                            + "later, so nothing is lost and the task never gives up on its own.",
                    GROUP, 5, ConfigDef.Width.SHORT, "Max retries")
            .define(RETRY_BACKOFF_MS, ConfigDef.Type.LONG, 500L, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW,
                    "Milliseconds before the first retry; doubled for each further retry up to "
                            + RETRY_BACKOFF_MAX_MS + ". A Retry-After header in seconds replaces it, capped the same way.",
                    GROUP, 6, ConfigDef.Width.SHORT, "Retry backoff (ms)")
            .define(RETRY_BACKOFF_MAX_MS, ConfigDef.Type.LONG, 10_000L, ConfigDef.Range.atLeast(0),
                    ConfigDef.Importance.LOW,
                    "Longest wait between two attempts, milliseconds; also how long Connect waits before "
                            + "redelivering a batch whose retries were used up.",
                    GROUP, 7, ConfigDef.Width.SHORT, "Retry backoff cap (ms)"));

    private final URI url;
    private final Format format;
    private final Password hmacSecret;
    private final long timeoutMs;
    private final int maxRetries;
    private final long retryBackoffMs;
    private final long retryBackoffMaxMs;

    public WebhookSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.url = URI.create(getPassword(URL).value().trim());
        this.format = Format.valueOf(getString(FORMAT).toUpperCase(Locale.ROOT));
        Password secret = getPassword(HMAC_SECRET);
        this.hmacSecret = secret == null || secret.value().isEmpty() ? null : secret;
        this.timeoutMs = getLong(TIMEOUT_MS);
        this.maxRetries = getInt(MAX_RETRIES);
        this.retryBackoffMs = getLong(RETRY_BACKOFF_MS);
        this.retryBackoffMaxMs = getLong(RETRY_BACKOFF_MAX_MS);
    }

    public URI url() {
        return url;
    }

    /** Scheme, host and port only: the path or query of a webhook URL may be its secret. */
    public String urlRedacted() {
        return redacted(url);
    }

    public Format format() {
        return format;
    }

    /** The HMAC secret, empty when requests are not signed. */
    public Optional<Password> hmacSecret() {
        return Optional.ofNullable(hmacSecret);
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public long retryBackoffMaxMs() {
        return retryBackoffMaxMs;
    }

    static String redacted(URI uri) {
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), "/...", null, null).toString();
        } catch (URISyntaxException e) {
            return "(unparseable URL)";
        }
    }

    /** Without the URL's path or the secret, so it is safe to log. */
    @Override
    public String toString() {
        return "WebhookSinkConfig{url=" + urlRedacted() + ", format=" + format.name().toLowerCase(Locale.ROOT)
                + ", signed=" + (hmacSecret != null) + ", timeoutMs=" + timeoutMs + ", maxRetries=" + maxRetries
                + ", retryBackoffMs=" + retryBackoffMs + ", retryBackoffMaxMs=" + retryBackoffMaxMs + "}";
    }
}
