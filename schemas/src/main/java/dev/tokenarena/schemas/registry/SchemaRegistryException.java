package dev.tokenarena.schemas.registry;

/** A registry call failed; the message names the subject or id and the registry's answer. */
public final class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
        this.errorCode = -1;
    }

    /** HTTP status, or -1 when no response arrived. */
    public int status() {
        return status;
    }

    /** Confluent error code (e.g. 40401 subject not found, 409 incompatible), or -1. */
    public int errorCode() {
        return errorCode;
    }
}
