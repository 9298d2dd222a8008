package dev.tokenarena.sink;

import java.net.URI;
import java.net.URISyntaxException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Refuses a URL setting (of type PASSWORD: it may hold credentials, or be a secret itself) that is
 * not http(s)://host..., without echoing the value.
 */
final class HttpUrlValidator implements ConfigDef.Validator {

    private final String whatToSet;
    private final String shape;
    private final boolean missingReportedByConfigDef;

    /**
     * @param whatToSet ends the message for an empty value: "must be set to " + this
     * @param shape the accepted form, for the generated reference
     * @param missingReportedByConfigDef true: a missing value is left to ConfigDef's own "Missing
     *                                   required configuration" (one error is enough)
     */
    HttpUrlValidator(String whatToSet, String shape, boolean missingReportedByConfigDef) {
        this.whatToSet = whatToSet;
        this.shape = shape;
        this.missingReportedByConfigDef = missingReportedByConfigDef;
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null && missingReportedByConfigDef) {
            return;
        }
        if (!(value instanceof Password password) || password.value().isBlank()) {
            throw new ConfigException(name + " must be set to " + whatToSet);
        }
        try {
            URI uri = new URI(password.value().trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                throw new ConfigException(name + " must be an http or https URL, http(s)://host[:port][/path]; "
                        + "the scheme was " + (scheme == null ? "missing" : scheme));
            }
            if (uri.getHost() == null) {
                throw new ConfigException(name + " must name a host, http(s)://host[:port][/path]");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(name + " is not a valid URI (" + e.getReason() + ")");
        }
    }

    @Override
    public String toString() {
        return shape;
    }
}
