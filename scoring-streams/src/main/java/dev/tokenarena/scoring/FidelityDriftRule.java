package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.FidelityStats;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * FIDELITY drift: the endpoint's status leaves faithful (drifted or modified, which needs at
 * least min_prompts compared prompts) opens; F back at or above the faithful threshold resolves.
 * Evidence baseline: the last faithful F of this endpoint, else the reference's noise floor.
 */
final class FidelityDriftRule implements DriftRule<FidelityStats> {

    static final String KIND = "FIDELITY";
    static final String METRIC = "fidelity_f";

    private final ScoringParams.Fidelity thresholds;

    FidelityDriftRule(ScoringParams params) {
        this.thresholds = params.fidelity();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Verdict judge(FidelityStats s, AlertState state) {
        if (s.getFidelity() == null) {
            return new Inconclusive();
        }
        double f = s.getFidelity();
        Double baseline = state.getBaseline() != null ? state.getBaseline() : s.getNoiseFloor();
        Long baselineCount = state.getBaseline() != null ? state.getBaselineCount() : null;
        switch (s.getStatus()) {
            case "drifted", "modified" -> {
                boolean modified = s.getStatus().equals("modified");
                double threshold = modified ? thresholds.driftedMin() : thresholds.faithfulMin();
                String summary = String.format(Locale.ROOT, "%s fidelity %.2f is %s (below %.1f) over %d prompts",
                        s.getEndpointId(), f, s.getStatus(), threshold, s.getPrompts());
                return new Breach(modified ? "critical" : "warning", summary,
                        evidence(baseline, f, threshold, baselineCount, s));
            }
            case "faithful" -> {
                String summary = String.format(Locale.ROOT, "%s fidelity %.2f is faithful again (>= %.1f)",
                        s.getEndpointId(), f, thresholds.faithfulMin());
                return new Healthy(summary, evidence(baseline, f, thresholds.faithfulMin(), baselineCount, s), f,
                        (long) s.getPrompts());
            }
            default -> {
                return new Inconclusive();
            }
        }
    }

    private static AlertEvidence evidence(Double baseline, double current, double threshold, Long baselineCount,
                                          FidelityStats s) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("status", s.getStatus());
        details.put("model", s.getModel());
        if (s.getNoiseFloor() != null) {
            details.put("noise_floor_f", Double.toString(s.getNoiseFloor()));
        }
        return AlertEvidence.newBuilder().setMetric(METRIC).setBaseline(baseline).setCurrent(current)
                .setThreshold(threshold).setBaselineCount(baselineCount).setCurrentCount((long) s.getPrompts())
                .setDetails(details).build();
    }
}
