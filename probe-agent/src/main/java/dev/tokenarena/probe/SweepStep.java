package dev.tokenarena.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of a sweep, summarized. Throughput counts the output tokens of successful requests
 * over the step's whole time, start to last completion (the drain included, so a step that only
 * queues more requests does not look faster). Interactivity is what one user sees: the median of
 * per-request decode speed, (output_tokens - 1) / (last token - first token). Quantiles are
 * nearest-rank over successful requests; null when there were none.
 *
 * @param load              concurrency or arrival rate (requests/s) of the step
 * @param requests          requests sent
 * @param failed            requests sent that did not end OK
 * @param dropped           open loop: arrivals not sent because the in-flight cap was reached
 * @param realizedRps       requests sent per second of the step's sending time (open loop: compare with the target rate)
 * @param seconds           step start to last completion, s
 * @param outputTokens      output tokens of the successful requests
 * @param throughputTps     outputTokens / seconds, all streams together
 * @param interactivityTps  median per-request decode speed, tokens/s per user
 * @param errorRate         (failed + dropped) / (requests + dropped)
 * @param usdPerMtok        GPU cost of one million output tokens at this throughput, or null without a price
 * @param gain              throughput over the previous step's, minus 1; null for the first step
 * @param meetsSlo          TTFT p99 and TPOT p99 within their SLOs, error rate within the maximum, and some request OK
 */
record SweepStep(int index, double load, int requests, int failed, int dropped, double realizedRps, double seconds, long outputTokens,
                 double throughputTps, Double interactivityTps, Double ttftP50Ms, Double ttftP99Ms,
                 Double tpotP50Ms, Double tpotP99Ms, double errorRate, Double usdPerMtok, Double gain,
                 boolean meetsSlo) {

    static SweepStep summarize(int index, double load, List<SweepSample> samples, int dropped, long elapsedNanos,
                               SweepStep previous, SweepSettings s) {
        List<Double> ttft = new ArrayList<>();
        List<Double> tpot = new ArrayList<>();
        List<Double> speed = new ArrayList<>();
        long tokens = 0;
        int failed = 0;
        for (SweepSample x : samples) {
            if (!x.ok()) {
                failed++;
                continue;
            }
            tokens += x.outputTokens();
            add(ttft, x.ttftMs());
            add(tpot, x.tpotMs());
            add(speed, x.outputTps());
        }
        double seconds = elapsedNanos / 1e9;
        double throughput = seconds > 0 ? tokens / seconds : 0;
        int attempts = samples.size() + dropped;
        double errorRate = attempts == 0 ? 0 : (failed + dropped) / (double) attempts;
        Double usd = s.gpuHourUsd() == null || throughput <= 0 ? null
                : s.gpuHourUsd() * s.gpus() / 3600.0 / throughput * 1e6;
        Double gain = previous == null ? null
                : previous.throughputTps() > 0 ? throughput / previous.throughputTps() - 1
                : throughput > 0 ? Double.POSITIVE_INFINITY : 0.0;
        Double ttftP99 = q(ttft, 0.99);
        Double tpotP99 = q(tpot, 0.99);
        boolean meets = samples.size() > failed && errorRate <= s.maxErrorRate()
                && (s.sloTtftMs() == null || (ttftP99 != null && ttftP99 <= s.sloTtftMs()))
                && (s.sloTpotMs() == null || (tpotP99 != null && tpotP99 <= s.sloTpotMs()));
        return new SweepStep(index, load, samples.size(), failed, dropped, samples.size() / (s.stepNanos() / 1e9), seconds, tokens, throughput, q(speed, 0.5),
                q(ttft, 0.5), ttftP99, q(tpot, 0.5), tpotP99, errorRate, usd, gain, meets);
    }

    private static void add(List<Double> to, Double v) {
        if (v != null && !v.isNaN()) {
            to.add(v);
        }
    }

    private static Double q(List<Double> values, double q) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? null : Measurements.quantile(sorted, q);
    }
}
