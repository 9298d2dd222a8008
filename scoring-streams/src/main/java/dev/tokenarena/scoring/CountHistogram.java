package dev.tokenarena.scoring;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.BinEncodingMode;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.Flag;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.encoding.VarEncodingHelper;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A DDSketch that values can also be taken out of: whole counts per logarithmic bin (relative
 * accuracy 1%, DDSketch's {@link LogarithmicMapping}), so that a window sliding over time buckets
 * subtracts the bucket that leaves instead of re-merging the ones that stay.
 *
 * <p>Why not DDSketch itself: its stores refuse negative counts, and a window of 24 hour buckets
 * re-merged every hour (7 days of them every day) was most of a replay's probe path. Counts are
 * longs here, so adding and subtracting is exact in any order, and a quantile is the one
 * DDSketch answers for the same values (same mapping, same rank rule; {@code CountHistogramTest}
 * checks both on random data). The stored form is DDSketch's own encoding, so stored buckets
 * read the same either way.
 *
 * <p>Bounded: positive values are counted between {@link #LOWEST} and {@link #HIGHEST} (a value
 * outside is counted in the bin of the nearer bound; a latency of 1 ns or of 31 years is not a
 * measurement), so a histogram never holds more than about 1,730 bins however hostile its input.
 * DDSketch's collapsing store bounded the bins too, but collapsing cannot be undone by a subtraction.
 * Values at or below DDSketch's smallest indexable value count as zero, as in DDSketch.
 */
final class CountHistogram {

    static final double RELATIVE_ACCURACY = 0.01;
    /** Smaller positive values are counted in this value's bin. */
    static final double LOWEST = 1e-6;
    /** Larger values are counted in this value's bin. */
    static final double HIGHEST = 1e9;
    /** The index of the zero count (no bin of the mapping is this low). */
    static final int ZERO = Integer.MIN_VALUE;
    /** Bins a decoded DDSketch may hold: more than the bounds allow, so none collapses. */
    static final int MAX_DECODED_BINS = 2048;

    /** Immutable and shared: building a mapping costs logarithms. */
    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);
    private static final int MIN_INDEX = MAPPING.index(LOWEST);
    private static final int MAX_INDEX = MAPPING.index(HIGHEST);
    private static final double MIN_INDEXABLE = MAPPING.minIndexableValue();
    private static final int GROWTH = 64;
    private static final byte[] MAPPING_BYTES = mappingBytes();
    private static final long[] NONE = new long[0];

    /** counts[i] is the count of bin offset + i. */
    private long[] counts = NONE;
    private int offset;
    /** Bins outside [lo, hi] are zero; inside some may be zero too (after a subtraction). */
    private int lo = Integer.MAX_VALUE;
    private int hi = Integer.MIN_VALUE;
    private long zeroCount;
    /** All counts, the zero count included. */
    private long total;

    CountHistogram() {
    }

    /**
     * The bin a value is counted in: {@link #ZERO}, or a bin index clamped to the bounds. Computed
     * once per value when one value goes to several histograms (a logarithm each time otherwise).
     */
    static int indexOf(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("a histogram counts finite values >= 0, got " + value);
        }
        if (value <= MIN_INDEXABLE) {
            return ZERO;
        }
        return clamp(MAPPING.index(value));
    }

    /** A bin index brought within the bounds: beyond them, the nearer bound's bin. */
    private static int clamp(int index) {
        return Math.max(MIN_INDEX, Math.min(MAX_INDEX, index));
    }

    void add(double value) {
        addIndex(indexOf(value), 1);
    }

    /** Adds n (which may be negative) to the bin {@code index} ({@link #indexOf}). */
    void addIndex(int index, long n) {
        if (n == 0) {
            return;
        }
        if (total + n < 0) {
            throw new IllegalStateException("subtracting more than a histogram holds");
        }
        total += n;
        if (index == ZERO) {
            zeroCount += n;
            return;
        }
        if (index < MIN_INDEX || index > MAX_INDEX) {
            throw new IllegalArgumentException("bin index " + index + " is outside the histogram's bounds");
        }
        cover(index, index);
        counts[index - offset] += n;
    }

    /** Adds {@code sign} (1 or -1) times every count of {@code other} to this histogram. */
    void add(CountHistogram other, int sign) {
        if (other == null || other.total == 0) {
            return;
        }
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException("sign must be 1 or -1, got " + sign);
        }
        if (sign < 0 && other.total > total) {
            throw new IllegalStateException("subtracting more than a histogram holds");
        }
        total += sign * other.total;
        zeroCount += sign * other.zeroCount;
        if (other.lo > other.hi) {
            return;
        }
        cover(other.lo, other.hi);
        long[] mine = counts;
        long[] theirs = other.counts;
        int shift = other.offset - offset;
        for (int i = other.lo - other.offset; i <= other.hi - other.offset; i++) {
            mine[i + shift] += sign * theirs[i];
        }
        if (total == 0) {
            // empty again: let the next values start a fresh range
            Arrays.fill(counts, 0L);
            lo = Integer.MAX_VALUE;
            hi = Integer.MIN_VALUE;
        }
    }

    boolean isEmpty() {
        return total == 0;
    }

    long count() {
        return total;
    }

    CountHistogram copy() {
        CountHistogram c = new CountHistogram();
        c.add(this, 1);
        return c;
    }

    /**
     * The value at quantile q, as DDSketch answers it: rank = q (count - 1), the zero count first,
     * then the bins in ascending order, the first whose cumulative count exceeds the rank; null
     * when empty.
     */
    Double quantile(double q) {
        if (total == 0) {
            return null;
        }
        double rank = q * (total - 1);
        long n = zeroCount;
        if (n > rank) {
            return 0.0;
        }
        for (int i = lo - offset; i <= hi - offset; i++) {
            n += counts[i];
            if (counts[i] != 0 && n > rank) {
                return MAPPING.value(i + offset);
            }
        }
        throw new IllegalStateException("histogram counts do not add up to its total");
    }

    /**
     * DDSketch's own encoding (index mapping included; the bins as index deltas and counts, one of
     * the forms every DDSketch decoder reads); empty for an empty histogram. Written directly:
     * building a DDSketch to encode it was most of a bucket write.
     */
    ByteBuffer encode() {
        if (total == 0) {
            return ByteBuffer.allocate(0);
        }
        int bins = 0;
        for (int i = lo - offset; i <= hi - offset; i++) {
            if (counts[i] != 0) {
                bins++;
            }
        }
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(MAPPING_BYTES.length + 12 + bins * 6);
        try {
            for (byte b : MAPPING_BYTES) {
                out.writeByte(b);
            }
            if (zeroCount != 0) {
                Flag.ZERO_COUNT.encode(out);
                VarEncodingHelper.encodeVarDouble(out, zeroCount);
            }
            if (bins > 0) {
                BinEncodingMode.INDEX_DELTAS_AND_COUNTS.toFlag(Flag.Type.POSITIVE_STORE).encode(out);
                VarEncodingHelper.encodeUnsignedVarLong(out, bins);
                long previous = 0;
                for (int i = lo - offset; i <= hi - offset; i++) {
                    if (counts[i] != 0) {
                        VarEncodingHelper.encodeSignedVarLong(out, i + offset - previous);
                        VarEncodingHelper.encodeVarDouble(out, counts[i]);
                        previous = i + offset;
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a histogram: " + e.getMessage(), e);
        }
        return ByteBuffer.wrap(out.trimmedCopy());
    }

    /** Reads {@link #encode}'s form (any DDSketch encoding of non-negative values); empty reads as empty. */
    static CountHistogram decode(ByteBuffer bytes) {
        CountHistogram h = new CountHistogram();
        if (bytes == null || !bytes.hasRemaining()) {
            return h;
        }
        byte[] raw = new byte[bytes.remaining()];
        bytes.duplicate().get(raw);
        DDSketch sketch;
        try {
            sketch = DDSketch.decode(ByteArrayInput.wrap(raw), () -> new CollapsingLowestDenseStore(MAX_DECODED_BINS));
        } catch (IOException e) {
            // Only our own aggregates are decoded here; a corrupt one is a bug, not bad input.
            throw new IllegalStateException("corrupt histogram in a window aggregate: " + e.getMessage(), e);
        }
        if (!sketch.getNegativeValueStore().isEmpty()) {
            throw new IllegalStateException("a window aggregate's histogram holds negative values");
        }
        Store positive = sketch.getPositiveValueStore();
        positive.forEach((index, count) -> h.addIndex(clamp(index), (long) count));
        h.addIndex(ZERO, (long) (sketch.getCount() - positive.getTotalCount()));
        return h;
    }

    private static byte[] mappingBytes() {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            MAPPING.encode(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the index mapping: " + e.getMessage(), e);
        }
        return out.trimmedCopy();
    }

    /** Makes counts hold the bins [from, to] besides those it holds. */
    private void cover(int from, int to) {
        int newLo = Math.min(lo, from);
        int newHi = Math.max(hi, to);
        if (newLo < offset || newHi >= offset + counts.length) {
            int length = ((newHi - newLo + 1) / GROWTH + 1) * GROWTH;
            // room on both sides of what is needed, as latencies drift either way
            int newOffset = newLo - (length - (newHi - newLo + 1)) / 2;
            long[] grown = new long[length];
            if (lo <= hi) {
                System.arraycopy(counts, lo - offset, grown, lo - newOffset, hi - lo + 1);
            }
            counts = grown;
            offset = newOffset;
        }
        lo = newLo;
        hi = newHi;
    }
}
