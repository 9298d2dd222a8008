package dev.tokenarena.energy;

/** The grid table is unreadable or invalid; the message is one line naming the file and line. */
public final class GridTableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GridTableException(String message) {
        super(message);
    }

    public GridTableException(String message, Throwable cause) {
        super(message, cause);
    }
}
