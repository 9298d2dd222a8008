package dev.tokenarena.schemas.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary
 * encoding of the value.
 */
public final class WireFormat {

    public static final byte MAGIC = 0;
    public static final int HEADER_BYTES = 5;

    private WireFormat() {
    }

    /** The schema id in a framed payload; the error says what is wrong with the frame. */
    public static int schemaId(byte[] payload) {
        if (payload == null) {
            throw new InvalidPayloadException("null payload");
        }
        if (payload.length < HEADER_BYTES) {
            throw new InvalidPayloadException("payload of " + payload.length
                    + " bytes is shorter than the 5-byte wire-format header");
        }
        if (payload[0] != MAGIC) {
            throw new InvalidPayloadException("unknown magic byte " + payload[0] + " (expected 0)");
        }
        return ByteBuffer.wrap(payload, 1, 4).getInt();
    }

    /** Writes the 5-byte header into a buffer of at least 5 bytes. */
    static void writeHeader(byte[] out, int schemaId) {
        out[0] = MAGIC;
        out[1] = (byte) (schemaId >>> 24);
        out[2] = (byte) (schemaId >>> 16);
        out[3] = (byte) (schemaId >>> 8);
        out[4] = (byte) schemaId;
    }

    /** A payload that is not a valid wire-format Avro record. */
    public static final class InvalidPayloadException extends org.apache.kafka.common.errors.SerializationException {
        private static final long serialVersionUID = 1L;

        public InvalidPayloadException(String message) {
            super(message);
        }

        public InvalidPayloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
