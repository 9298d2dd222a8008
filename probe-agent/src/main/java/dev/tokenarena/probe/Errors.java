package dev.tokenarena.probe;

/** Error text that is safe to publish and log: secrets removed, length capped. */
final class Errors {

    static final int MAX_ERROR_CHARS = 512;
    static final String MASK = "[redacted]";

    private Errors() {
    }

    /** Removes every occurrence of the secret (if any) and caps the text at 512 chars. */
    static String scrub(String text, String secret) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (secret != null && !secret.isEmpty()) {
            s = s.replace(secret, MASK);
        }
        if (s.length() > MAX_ERROR_CHARS) {
            s = s.substring(0, MAX_ERROR_CHARS - 3) + "...";
        }
        return s;
    }

    /**
     * Hostile input quoted in an error, on one line. Not shortened here: the cap comes after
     * {@link #scrub}, so a key can never be cut in half and slip past the mask.
     */
    static String quote(String text) {
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}
