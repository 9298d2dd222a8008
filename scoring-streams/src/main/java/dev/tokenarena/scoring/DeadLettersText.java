package dev.tokenarena.scoring;

/** Caps text that goes to logs, so a hostile payload echoed in an exception stays short. */
final class DeadLettersText {

    static final int MAX_LOG_CHARS = 300;

    private DeadLettersText() {
    }

    static String cap(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_LOG_CHARS ? s : s.substring(0, MAX_LOG_CHARS) + "...(" + s.length() + " chars)";
    }
}
