package dev.tokenarena.probe;

import java.net.URI;
import java.util.Map;

/**
 * One streaming POST. {@code secret} is the API key inside {@code headers}, kept apart only so
 * every error text derived from this call can be scrubbed of it; it is never logged.
 */
record HttpCall(URI uri, Map<String, String> headers, byte[] body, String secret) {

    @Override
    public String toString() {
        return "HttpCall[" + uri + ", " + body.length + " bytes]"; // never the headers: they hold the key
    }
}
