package dev.tokenarena.scoring.api;

/** The data asked for is not queryable right now (rebalance, restore, peer down): retry later. */
final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
        super(message);
    }

    Unavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
