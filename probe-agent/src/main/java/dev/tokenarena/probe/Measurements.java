package dev.tokenarena.probe;

import java.util.Arrays;

/**
 * The timing figures of one request, from Ticker readings (nanoseconds) to milliseconds and
 * tokens per second. Pure arithmetic so every formula can be checked against hand-worked numbers.
 */
final class Measurements {

    private Measurements() {
    }

    /** All figures of one request; null where the request gave nothing to measure. */
    record Timings(Double ttftMs, Double ttftNetMs, Double ttfvMs, double e2eMs, Double tpotMs, Double outputTps,
                   Double gapMsP50, Double gapMsP99, Double gapMsMax) {
    }

    /**
     * @param startNanos      request start, before connect
     * @param connectNanos    connect duration, -1 when not measured
     * @param tlsNanos        TLS handshake duration, -1 without TLS
     * @param endNanos        end of the response
     * @param firstTokenNanos arrival of the first token of any kind, -1 for none
     * @param firstVisibleNanos arrival of the first visible token, -1 for none
     * @param lastTokenNanos  arrival of the last token, -1 for none
     * @param tokenChunkNanos arrival of every chunk that carried a token
     * @param outputTokens    output tokens (server usage, else local)
     */
    static Timings compute(long startNanos, long connectNanos, long tlsNanos, long endNanos, long firstTokenNanos,
                           long firstVisibleNanos, long lastTokenNanos, long[] tokenChunkNanos, int outputTokens) {
        Double ttft = firstTokenNanos < 0 ? null : ms(firstTokenNanos - startNanos);
        Double ttftNet = ttft == null ? null
                : ttft - (connectNanos < 0 ? 0 : ms(connectNanos)) - (tlsNanos < 0 ? 0 : ms(tlsNanos));
        Double ttfv = firstVisibleNanos < 0 ? null : ms(firstVisibleNanos - startNanos);
        double e2e = ms(endNanos - startNanos);
        // Both rates need two tokens: the first token's time is TTFT, not decoding.
        Double tpot = ttft == null || outputTokens < 2 ? null : (e2e - ttft) / (outputTokens - 1);
        Double tps = outputTokens < 2 || firstTokenNanos < 0 || lastTokenNanos <= firstTokenNanos ? null
                : (outputTokens - 1) / ((lastTokenNanos - firstTokenNanos) / 1e9);
        double[] gaps = gapsMs(tokenChunkNanos);
        return new Timings(ttft, ttftNet, ttfv, e2e, tpot, tps,
                quantile(gaps, 0.50), quantile(gaps, 0.99), gaps.length == 0 ? null : gaps[gaps.length - 1]);
    }

    /** Sorted gaps between consecutive token chunks, milliseconds. */
    static double[] gapsMs(long[] chunkNanos) {
        if (chunkNanos.length < 2) {
            return new double[0];
        }
        double[] gaps = new double[chunkNanos.length - 1];
        for (int i = 1; i < chunkNanos.length; i++) {
            gaps[i - 1] = ms(chunkNanos[i] - chunkNanos[i - 1]);
        }
        Arrays.sort(gaps);
        return gaps;
    }

    /** Nearest-rank quantile of sorted values: the value at rank ceil(q * n); null when empty. */
    static Double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** Whether the server's and the local count differ by more than 10% of the server's count. */
    static boolean mismatch(Integer server, int local) {
        return server != null && Math.abs(server - local) > 0.10 * server;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
