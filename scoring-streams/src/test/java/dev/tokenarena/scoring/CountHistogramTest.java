package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The histogram behind every window figure must answer what DDSketch answers for the same values
 * (the figures were DDSketch's before it, and the stored form is DDSketch's), and taking values
 * out must leave exactly what adding the rest would have made.
 */
class CountHistogramTest {

    private static final double[] QUANTILES = {0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1};

    /**
     * Random latencies over five orders of magnitude, some exact zeros, in batches of 1 to 2,000:
     * each quantile equals DDSketch's (relative accuracy 1%, the same logarithmic mapping) to the bit.
     */
    @Test
    void shouldAnswerEveryQuantileAsDdSketchDoesForTheSameValues() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            DDSketch reference = new DDSketch(new LogarithmicMapping(CountHistogram.RELATIVE_ACCURACY),
                    () -> new CollapsingLowestDenseStore(2048));
            CountHistogram h = new CountHistogram();
            int n = 1 + random.nextInt(round % 10 == 0 ? 2_000 : 20);
            for (int i = 0; i < n; i++) {
                double v = random.nextInt(50) == 0 ? 0.0 : Math.pow(10, random.nextDouble() * 5) * 0.5;
                reference.accept(v);
                h.add(v);
            }
            for (double q : QUANTILES) {
                assertEquals(reference.getValueAtQuantile(q), h.quantile(q), "q " + q + " of " + n + " values");
            }
        }
    }

    /**
     * A = 300 values, B = 200, C = 100 (random, seed fixed): (A + B + C) - B must equal A + C in
     * every quantile and in its stored bytes, and taking out the rest leaves an empty histogram.
     */
    @Test
    void shouldLeaveExactlyTheRestWhenAPartIsTakenOut() {
        Random random = new Random(5);
        CountHistogram a = filled(random, 300);
        CountHistogram b = filled(random, 200);
        CountHistogram c = filled(random, 100);
        CountHistogram all = a.copy();
        all.add(b, 1);
        all.add(c, 1);
        CountHistogram rest = a.copy();
        rest.add(c, 1);
        all.add(b, -1);
        assertEquals(400, all.count());
        for (double q : QUANTILES) {
            assertEquals(rest.quantile(q), all.quantile(q), "q " + q);
        }
        assertEquals(rest.encode(), all.encode());
        all.add(a, -1);
        all.add(c, -1);
        assertTrue(all.isEmpty());
        assertNull(all.quantile(0.5));
        assertEquals(0, all.encode().remaining());
        assertThrows(IllegalStateException.class, () -> c.copy().add(rest, -1), "more taken out than held");
    }

    /**
     * The stored form is DDSketch's: DDSketch decodes it to the same quantiles, and it reads back
     * to the same bytes.
     */
    @Test
    void shouldStoreInDdSketchsEncoding() throws Exception {
        Random random = new Random(9);
        CountHistogram h = filled(random, 500);
        h.add(0.0);
        ByteBuffer bytes = h.encode();
        byte[] raw = new byte[bytes.remaining()];
        bytes.duplicate().get(raw);
        DDSketch decoded = DDSketch.decode(ByteArrayInput.wrap(raw), () -> new CollapsingLowestDenseStore(2048));
        assertEquals(501.0, decoded.getCount());
        for (double q : QUANTILES) {
            assertEquals(decoded.getValueAtQuantile(q), h.quantile(q), "q " + q);
        }
        assertEquals(bytes, CountHistogram.decode(bytes).encode());
    }

    /**
     * Hostile values cannot grow a histogram: 1e-300 ms counts in the bin of 1e-6 ms and 1e300 in
     * that of 1e9 (each answered within 1%), and a value outside the domain is refused by name.
     */
    @Test
    void shouldCountValuesBeyondItsBoundsInTheNearestBoundsBin() {
        CountHistogram h = new CountHistogram();
        h.add(1e-300);
        h.add(1e300);
        assertEquals(1e-6, h.quantile(0), 1e-6 * 0.02);
        assertEquals(1e9, h.quantile(1), 1e9 * 0.02);
        assertTrue(h.encode().remaining() < 64, "two bins, not a span of 600 orders of magnitude");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.add(-1));
        assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> h.add(Double.NaN));
    }

    private static CountHistogram filled(Random random, int n) {
        CountHistogram h = new CountHistogram();
        for (int i = 0; i < n; i++) {
            h.add(20 + random.nextDouble() * 5_000);
        }
        return h;
    }
}
