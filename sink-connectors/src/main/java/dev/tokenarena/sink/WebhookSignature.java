package dev.tokenarena.sink;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.config.types.Password;

/**
 * Signs request bodies: {@code sha256=} + lowercase hex of HMAC-SHA256 over
 * {@code <timestamp> + "." + <body bytes>}. The timestamp is inside the signed bytes so a
 * captured request cannot be replayed later under a fresh timestamp. Holds the key only as a
 * {@link SecretKeySpec}; nothing here prints it.
 */
final class WebhookSignature {

    static final String SIGNATURE_HEADER = "X-Arena-Signature";
    static final String TIMESTAMP_HEADER = "X-Arena-Timestamp";
    static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    WebhookSignature(Password secret) {
        this.key = new SecretKeySpec(secret.value().getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The X-Arena-Signature value for this timestamp and body. */
    String sign(long timestampMs, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(Long.toString(timestampMs).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is a required algorithm of every JRE; the message names no key material.
            throw new IllegalStateException("HmacSHA256 unavailable: " + e.getClass().getName(), e);
        }
    }
}
