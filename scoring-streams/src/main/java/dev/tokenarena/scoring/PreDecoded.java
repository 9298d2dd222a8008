package dev.tokenarena.scoring;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A value a replay's reader has decoded already (it reads every record's event time), handed to
 * the probe stage's source together with its bytes, so that the source does not decode the same
 * bytes again: that second decoding was a tenth of the probe stage.
 *
 * <p>The very byte array decides ({@code ==}): bytes not offered, or offered with a value of
 * another type, are decoded as usual, so a record the reader could not decode fails in the source
 * as it always did (to the dead-letter topic). Offer and read happen on one thread, within one
 * piped record; not thread-safe.
 */
public final class PreDecoded {

    private byte[] bytes;
    private Object value;

    /** The next read of exactly these bytes returns value. */
    public void offer(byte[] bytes, Object value) {
        this.bytes = bytes;
        this.value = value;
    }

    /** Forgets the offer (nothing is kept past its record). */
    public void clear() {
        bytes = null;
        value = null;
    }

    /** A deserializer that takes an offered value of {@code type} for its bytes, else asks {@code decoder}. */
    <T> Deserializer<T> over(Class<T> type, Deserializer<T> decoder) {
        return new Deserializer<>() {
            @Override
            public T deserialize(String topic, byte[] data) {
                return offered(type, data) ? type.cast(value) : decoder.deserialize(topic, data);
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                return offered(type, data) ? type.cast(value) : decoder.deserialize(topic, headers, data);
            }
        };
    }

    /** Whether exactly these bytes were offered, with a value of {@code type}. */
    private boolean offered(Class<?> type, byte[] data) {
        return data != null && data == bytes && type.isInstance(value);
    }
}
