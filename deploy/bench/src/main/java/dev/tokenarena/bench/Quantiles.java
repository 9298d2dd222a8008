package dev.tokenarena.bench;

import java.util.Arrays;

/** Nearest-rank quantiles, as the probe agent reports its own gaps. */
final class Quantiles {

    private Quantiles() {
    }

    /** The nearest-rank q-quantile (q in (0, 1]) of the values; NaN when there are none. */
    static double of(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Rounded to 3 decimals, for printing. */
    static double round3(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000.0) / 1000.0;
    }
}
