package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.HistoryPoint;
import dev.tokenarena.scoring.avro.ProbeStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TTFT_P99: the trailing probe window's p99 TTFT against a baseline: the median of hourly p99s
 * over the baseline period (default 7 days) that ended before the current window started, so
 * baseline and current never share a probe. History: one point per hour (the latest trailing
 * window whose end falls in it, at_ms = that hour's end), kept for the baseline period; only
 * points with at least min_timing_probes count. The median of hourly p99s shrugs off a few bad
 * hours in the baseline. A regression that lasts more than half the baseline period becomes the
 * new normal and resolves (documented trade-off).
 *
 * <pre>
 * current p99 / baseline | timing probes        | verdict
 * &gt; open ratio (below)  | both &gt;= min counts | Breach (critical above 2 x open ratio)
 * &lt;= resolve_ratio     | both &gt;= min counts | Healthy
 * otherwise              |                      | Inconclusive
 * </pre>
 * open ratio = max(open_ratio 1.5, 1 + noise_mads x 1.4826 x MAD / median) over the hourly p99s.
 */
final class TtftP99DriftRule implements DriftRule<ProbeStats> {

    static final String KIND = "TTFT_P99";
    static final String METRIC = "ttft_ms_p99";
    static final long HOUR_MS = 3_600_000L;

    private final ScoringParams.TtftP99 t;

    TtftP99DriftRule(ScoringParams params) {
        this.t = params.alerts().ttftP99();
    }

    @Override
    public String kind() {
        return KIND;
    }

    static long hourEnd(long windowEndMs) {
        return Math.floorDiv(windowEndMs + HOUR_MS - 1, HOUR_MS) * HOUR_MS;
    }

    @Override
    public AlertState remember(ProbeStats s, AlertState state) {
        if (s.getTtftMsP99() == null || s.getTimingCount() < t.minTimingProbes()) {
            return state;
        }
        long at = hourEnd(s.getWindowEndMs());
        long keepFrom = s.getWindowEndMs() - t.baseline().toMillis() - HOUR_MS;
        List<HistoryPoint> next = new ArrayList<>();
        boolean placed = false;
        for (HistoryPoint p : state.getHistory()) {
            if (p.getAtMs() < keepFrom) {
                continue;
            }
            if (p.getAtMs() == at) {
                next.add(new HistoryPoint(at, s.getTtftMsP99(), s.getTimingCount()));
                placed = true;
            } else if (p.getAtMs() > at && !placed) {
                next.add(new HistoryPoint(at, s.getTtftMsP99(), s.getTimingCount()));
                next.add(p);
                placed = true;
            } else {
                next.add(p);
            }
        }
        if (!placed && at >= keepFrom) {
            next.add(new HistoryPoint(at, s.getTtftMsP99(), s.getTimingCount()));
        }
        return AlertState.newBuilder(state).setHistory(next).build();
    }

    @Override
    public Verdict judge(ProbeStats s, AlertState state) {
        if (s.getTtftMsP99() == null || s.getTimingCount() < t.minTimingProbes()) {
            return new Inconclusive();
        }
        long from = s.getWindowEndMs() - t.baseline().toMillis();
        List<Double> baselineP99 = new ArrayList<>();
        long baselineCount = 0;
        for (HistoryPoint p : state.getHistory()) {
            if (p.getAtMs() > from && p.getAtMs() <= s.getWindowStartMs()) {
                baselineP99.add(p.getValue());
                baselineCount += p.getCount();
            }
        }
        if (baselineP99.size() < t.minBaselineHours()) {
            return new Inconclusive();
        }
        double baseline = median(baselineP99);
        List<Double> deviations = baselineP99.stream().map(v -> Math.abs(v - baseline)).toList();
        double mad = median(deviations);
        double openRatio = openRatio(baseline, mad);
        double current = s.getTtftMsP99();
        double ratio = current / baseline;
        if (ratio > openRatio) {
            String summary = String.format(Locale.ROOT, "TTFT p99 %.1f ms is %.2fx the %d-hour baseline %.1f ms",
                    current, ratio, baselineP99.size(), baseline);
            return new Breach(ratio > 2 * openRatio ? "critical" : "warning", summary,
                    evidence(baseline, baselineCount, baselineP99.size(), s, ratio, openRatio * baseline, mad));
        }
        if (ratio <= t.resolveRatio()) {
            long count = baselineCount;
            return new Healthy(() -> String.format(Locale.ROOT, "TTFT p99 %.1f ms is %.2fx the baseline %.1f ms",
                    current, ratio, baseline),
                    () -> evidence(baseline, count, baselineP99.size(), s, ratio, t.resolveRatio() * baseline, mad),
                    null, null);
        }
        return new Inconclusive();
    }

    /**
     * The ratio that opens: open_ratio, raised for an endpoint whose healthy hours vary a lot to
     * 1 + noise_mads x 1.4826 x MAD / median (1.4826 MAD estimates a standard deviation), so a
     * noisy but healthy endpoint is judged against its own hour-to-hour variation.
     */
    double openRatio(double baseline, double mad) {
        return Math.max(t.openRatio(), 1.0 + t.noiseMads() * 1.4826 * mad / baseline);
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(Double::compare);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2.0;
    }

    private static AlertEvidence evidence(double baseline, long baselineCount, int hours, ProbeStats s, double ratio,
                                          double threshold, double mad) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("baseline", "median of hourly p99");
        details.put("baseline_hours", Integer.toString(hours));
        details.put("baseline_mad_ms", Double.toString(mad));
        details.put("window_start_ms", Long.toString(s.getWindowStartMs()));
        details.put("window_end_ms", Long.toString(s.getWindowEndMs()));
        return AlertEvidence.newBuilder().setMetric(METRIC).setBaseline(baseline).setBaselineCount(baselineCount)
                .setCurrent(s.getTtftMsP99()).setCurrentCount(s.getTimingCount()).setThreshold(threshold)
                .setStatistic(ratio).setDetails(details).build();
    }
}
