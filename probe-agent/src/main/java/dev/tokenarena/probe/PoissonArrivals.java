package dev.tokenarena.probe;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Arrival times of a Poisson process: gaps drawn from the exponential distribution with mean
 * {@code 1 / rate} by inversion ({@code -ln(1 - U) / rate}), from a seeded generator so a run
 * can be repeated exactly. The whole schedule is drawn up front: it is fixed before the first
 * request, so nothing the server does can change when later requests arrive.
 */
final class PoissonArrivals {

    private PoissonArrivals() {
    }

    /**
     * Offsets from the start, nanoseconds, of every arrival in {@code [0, durationNanos)}.
     *
     * @throws IllegalArgumentException when the rate is not a finite number above 0
     */
    static long[] offsetsNanos(long seed, double ratePerSecond, long durationNanos) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("arrival rate must be a finite number of requests per second > 0, got "
                    + ratePerSecond);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long[] out = new long[(int) Math.min(1 << 20, Math.max(16, ratePerSecond * durationNanos / 1e9 * 1.2))];
        int n = 0;
        double t = 0;
        while (true) {
            t += -Math.log(1 - random.nextDouble()) / ratePerSecond * 1e9;
            if (t >= durationNanos) {
                return Arrays.copyOf(out, n);
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = (long) t;
        }
    }
}
