package dev.tokenarena.schemas.catalog;

/** The catalogue file is unreadable or invalid; the message is one line naming the file and field. */
public final class CatalogException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
