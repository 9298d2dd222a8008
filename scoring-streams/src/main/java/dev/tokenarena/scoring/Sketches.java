package dev.tokenarena.scoring;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * DDSketch helpers. Sketches live in window aggregates as bytes; an empty buffer is an empty
 * sketch so a fresh aggregate costs nothing. Relative accuracy 1%; the store is bounded (2,048
 * bins, collapsing the lowest) so a hostile spread of values cannot grow an aggregate without
 * limit: the low quantiles lose accuracy first, which latency figures can afford.
 */
final class Sketches {

    static final double RELATIVE_ACCURACY = 0.01;
    static final int MAX_BINS = 2048;

    private Sketches() {
    }

    /** Immutable and shared: building a mapping costs logarithms, and a window merge makes many sketches. */
    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

    static DDSketch empty() {
        return new DDSketch(MAPPING, () -> new CollapsingLowestDenseStore(MAX_BINS));
    }

    static DDSketch decode(ByteBuffer bytes) {
        if (bytes == null || !bytes.hasRemaining()) {
            return empty();
        }
        byte[] raw = new byte[bytes.remaining()];
        bytes.duplicate().get(raw);
        try {
            return DDSketch.decode(ByteArrayInput.wrap(raw), () -> new CollapsingLowestDenseStore(MAX_BINS));
        } catch (IOException e) {
            // Only our own aggregates are decoded here; a corrupt one is a bug, not bad input.
            throw new IllegalStateException("corrupt DDSketch in a window aggregate: " + e.getMessage(), e);
        }
    }

    /**
     * DDSketch's own encoding (index mapping included), which {@link DDSketch#decode} reads back;
     * {@code serialize()} writes the protobuf form instead, which decode does not accept.
     */
    static ByteBuffer encode(DDSketch sketch) {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(out, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a DDSketch: " + e.getMessage(), e);
        }
        return ByteBuffer.wrap(out.trimmedCopy());
    }

    /** Adds a value to an encoded sketch and returns the new encoding. */
    static ByteBuffer add(ByteBuffer bytes, double value) {
        DDSketch s = decode(bytes);
        s.accept(value);
        return encode(s);
    }

    /** The quantile of an encoded sketch, or null when it is empty. */
    static Double quantile(ByteBuffer bytes, double q) {
        DDSketch s = decode(bytes);
        return s.isEmpty() ? null : s.getValueAtQuantile(q);
    }
}
