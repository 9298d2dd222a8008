package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.HistoryPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ACCURACY: a one-sided two-proportion z-test of the current period's accuracy (default the
 * trailing 24 h) against the baseline period before it (default the rest of 7 days). Graded
 * items (outcome OK) only are counted, in hourly buckets (at_ms = hour start) kept for the
 * baseline period; "now" is the newest hour seen, never the wall clock.
 *
 * <p>z = (p_cur - p_base) / sqrt(p (1 - p) (1/n_cur + 1/n_base)), p = pooled accuracy; z = 0 when
 * p is 0 or 1. With at least min_graded items on each side: z &lt; -z_critical opens,
 * z &gt;= -resolve_z resolves, in between nothing changes.
 */
final class AccuracyDriftRule implements DriftRule<EvalItemResult> {

    static final String KIND = "ACCURACY";
    static final String METRIC = "accuracy";
    static final long HOUR_MS = 3_600_000L;

    private final ScoringParams.Accuracy t;

    AccuracyDriftRule(ScoringParams params) {
        this.t = params.alerts().accuracy();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AlertState remember(EvalItemResult r, AlertState state) {
        if (!"OK".equals(r.getOutcome())) {
            return state;
        }
        long hour = Math.floorDiv(r.getStartedAtMs(), HOUR_MS) * HOUR_MS;
        List<HistoryPoint> history = state.getHistory();
        long newest = Math.max(hour, history.isEmpty() ? hour : history.get(history.size() - 1).getAtMs());
        long keepFrom = newest - t.baseline().toMillis() + HOUR_MS;
        if (hour < keepFrom) {
            return state;
        }
        List<HistoryPoint> next = new ArrayList<>();
        boolean placed = false;
        int correct = r.getCorrect() ? 1 : 0;
        for (HistoryPoint p : history) {
            if (p.getAtMs() < keepFrom) {
                continue;
            }
            if (p.getAtMs() == hour) {
                next.add(new HistoryPoint(hour, p.getValue() + correct, p.getCount() + 1));
                placed = true;
            } else if (p.getAtMs() > hour && !placed) {
                next.add(new HistoryPoint(hour, (double) correct, 1L));
                next.add(p);
                placed = true;
            } else {
                next.add(p);
            }
        }
        if (!placed) {
            next.add(new HistoryPoint(hour, (double) correct, 1L));
        }
        return AlertState.newBuilder(state).setHistory(next).build();
    }

    /** The z statistic of the two-proportion test; 0 when the pooled accuracy is 0 or 1. */
    static double z(double correctBase, long nBase, double correctCur, long nCur) {
        double pBase = correctBase / nBase;
        double pCur = correctCur / nCur;
        double pooled = (correctBase + correctCur) / (nBase + nCur);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / nBase + 1.0 / nCur));
        return se == 0 ? 0.0 : (pCur - pBase) / se;
    }

    @Override
    public Verdict judge(EvalItemResult r, AlertState state) {
        List<HistoryPoint> history = state.getHistory();
        if (history.isEmpty()) {
            return new Inconclusive();
        }
        long newest = history.get(history.size() - 1).getAtMs();
        long currentFrom = newest - t.current().toMillis() + HOUR_MS;
        double cBase = 0;
        long nBase = 0;
        double cCur = 0;
        long nCur = 0;
        for (HistoryPoint p : history) {
            if (p.getAtMs() >= currentFrom) {
                cCur += p.getValue();
                nCur += p.getCount();
            } else {
                cBase += p.getValue();
                nBase += p.getCount();
            }
        }
        if (nBase < t.minGraded() || nCur < t.minGraded()) {
            return new Inconclusive();
        }
        double z = z(cBase, nBase, cCur, nCur);
        double pBase = cBase / nBase;
        double pCur = cCur / nCur;
        if (z < -t.zCritical()) {
            String summary = String.format(Locale.ROOT, "accuracy %.4f (%d items) below baseline %.4f (%d items), z = %.2f",
                    pCur, nCur, pBase, nBase, z);
            return new Breach(pCur < pBase - 0.10 ? "critical" : "warning", summary,
                    evidence(pBase, nBase, pCur, nCur, z, -t.zCritical(), currentFrom));
        }
        if (z >= -t.resolveZ()) {
            long baseCount = nBase;
            long currentCount = nCur;
            return new Healthy(() -> String.format(Locale.ROOT, "accuracy %.4f (%d items) vs baseline %.4f (%d items), z = %.2f",
                    pCur, currentCount, pBase, baseCount, z),
                    () -> evidence(pBase, baseCount, pCur, currentCount, z, -t.resolveZ(), currentFrom), null, null);
        }
        return new Inconclusive();
    }

    private static AlertEvidence evidence(double pBase, long nBase, double pCur, long nCur, double z,
                                          double threshold, long currentFrom) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("test", "two-proportion z, pooled, one-sided");
        details.put("current_from_ms", Long.toString(currentFrom));
        return AlertEvidence.newBuilder().setMetric(METRIC).setBaseline(pBase).setBaselineCount(nBase)
                .setCurrent(pCur).setCurrentCount(nCur).setStatistic(z).setThreshold(threshold)
                .setDetails(details).build();
    }
}
