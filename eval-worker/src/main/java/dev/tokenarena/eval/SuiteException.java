package dev.tokenarena.eval;

/** A suite or input file is unreadable or invalid; the message is one line naming the file and line. */
public final class SuiteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SuiteException(String message) {
        super(message);
    }

    public SuiteException(String message, Throwable cause) {
        super(message, cause);
    }
}
