package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.ProbeStats;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * AVAILABILITY: the trailing probe window's success rate (all probe kinds) below open_below opens;
 * at or above resolve_at_least resolves; in between, or with fewer than min_probes probes in the
 * window, nothing changes. Evidence baseline: the last healthy success rate of this endpoint.
 */
final class AvailabilityDriftRule implements DriftRule<ProbeStats> {

    static final String KIND = "AVAILABILITY";
    static final String METRIC = "success_rate";

    private final ScoringParams.Availability t;

    AvailabilityDriftRule(ScoringParams params) {
        this.t = params.alerts().availability();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Verdict judge(ProbeStats s, AlertState state) {
        if (s.getProbeCount() < t.minProbes()) {
            return new Inconclusive();
        }
        double rate = s.getSuccessRate();
        if (rate < t.openBelow()) {
            String summary = String.format(Locale.ROOT, "success rate %.4f below %.4f over %d probes",
                    rate, t.openBelow(), s.getProbeCount());
            return new Breach(rate < t.openBelow() / 2 ? "critical" : "warning", summary,
                    evidence(state, s, t.openBelow()));
        }
        if (rate >= t.resolveAtLeast()) {
            return new Healthy(() -> String.format(Locale.ROOT, "success rate %.4f back at or above %.4f over %d probes",
                    rate, t.resolveAtLeast(), s.getProbeCount()),
                    () -> evidence(state, s, t.resolveAtLeast()), rate, s.getProbeCount());
        }
        return new Inconclusive();
    }

    private static AlertEvidence evidence(AlertState state, ProbeStats s, double threshold) {
        // insertion order, as every rule's details: Map.of iterates in an order salted per JVM, and
        // Avro writes a map in its iteration order, so the same replay in two processes differed
        Map<String, String> details = new LinkedHashMap<>();
        details.put("ok_count", Long.toString(s.getOkCount()));
        details.put("window_start_ms", Long.toString(s.getWindowStartMs()));
        details.put("window_end_ms", Long.toString(s.getWindowEndMs()));
        return AlertEvidence.newBuilder().setMetric(METRIC).setBaseline(state.getBaseline())
                .setBaselineCount(state.getBaselineCount()).setCurrent(s.getSuccessRate())
                .setCurrentCount(s.getProbeCount()).setThreshold(threshold)
                .setDetails(details)
                .build();
    }
}
