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
 *
 * <p>Without logprobs (method sample_test) the status comes from the two-sample test: modified
 * (critical) opens, faithful (not rejected) resolves. Evidence: metric fidelity_mmd_p_value,
 * current = p-value, threshold = alpha, statistic = MMD², baseline_count / current_count =
 * reference / endpoint completions; the similarities, prompts and settings in details. A
 * faithful test leaves the F baseline alone (a p-value is no F).
 */
final class FidelityDriftRule implements DriftRule<FidelityStats> {

    static final String KIND = "FIDELITY";
    static final String METRIC = "fidelity_f";
    static final String SAMPLE_TEST_METRIC = "fidelity_mmd_p_value";
    /** Rule memory: consecutive sample-test rejections. */
    static final String REJECTIONS = "sample_test_rejections";

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
        if (EndpointFidelity.SAMPLE_TEST.equals(s.getMethod())) {
            return judgeSampleTest(s, state);
        }
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
                return new Healthy(() -> String.format(Locale.ROOT, "%s fidelity %.2f is faithful again (>= %.1f)",
                        s.getEndpointId(), f, thresholds.faithfulMin()),
                        () -> evidence(baseline, f, thresholds.faithfulMin(), baselineCount, s), f, (long) s.getPrompts());
            }
            default -> {
                return new Inconclusive();
            }
        }
    }

    /**
     * Counts consecutive sample-test rejections in the rule's memory: each FidelityStats update is
     * a re-test on a new sample over an overlapping window, so a healthy endpoint is rejected now
     * and then; a FIDELITY alert opens only after {@code confirmations} rejections in a row.
     */
    @Override
    public AlertState remember(FidelityStats s, AlertState state) {
        if (!EndpointFidelity.SAMPLE_TEST.equals(s.getMethod()) || s.getSampleTestPValue() == null) {
            return state;
        }
        double rejections = "modified".equals(s.getStatus())
                ? state.getValues().getOrDefault(REJECTIONS, 0.0) + 1 : 0.0;
        if (rejections == state.getValues().getOrDefault(REJECTIONS, 0.0)) {
            return state;
        }
        Map<String, Double> values = new LinkedHashMap<>(state.getValues());
        values.put(REJECTIONS, rejections);
        return AlertState.newBuilder(state).setValues(values).build();
    }

    private Verdict judgeSampleTest(FidelityStats s, AlertState state) {
        if (s.getSampleTestPValue() == null) {
            return new Inconclusive();
        }
        ScoringParams.SampleTest t = thresholds.sampleTest();
        double p = s.getSampleTestPValue();
        double mmd2 = s.getSampleTestMmd2();
        switch (s.getStatus()) {
            case "modified" -> {
                if (!state.getOpen() && state.getValues().getOrDefault(REJECTIONS, 0.0) < t.confirmations()) {
                    return new Inconclusive(); // not confirmed yet
                }
                String summary = String.format(Locale.ROOT, "%s completions differ from the reference's: MMD^2 %.4f,"
                                + " p %.4f <= %.2f over %d prompts (%d vs %d completions)", s.getEndpointId(), mmd2, p,
                        t.alpha(), s.getSampleTestPrompts(), s.getSampleTestEndpointSamples(),
                        s.getSampleTestReferenceSamples());
                return new Breach("critical", summary, sampleTestEvidence(s, t));
            }
            case "faithful" -> {
                return new Healthy(() -> String.format(Locale.ROOT, "%s completions match the reference's again: MMD^2 %.4f,"
                        + " p %.4f over %d prompts", s.getEndpointId(), mmd2, p, s.getSampleTestPrompts()),
                        () -> sampleTestEvidence(s, t), null, null);
            }
            default -> {
                return new Inconclusive();
            }
        }
    }

    private static AlertEvidence sampleTestEvidence(FidelityStats s, ScoringParams.SampleTest t) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("status", s.getStatus());
        details.put("model", s.getModel());
        details.put("method", s.getMethod());
        details.put("mmd2", Double.toString(s.getSampleTestMmd2()));
        details.put("min_effect", Double.toString(t.minEffect()));
        details.put("prompts", Integer.toString(s.getSampleTestPrompts()));
        details.put("permutations", Integer.toString(t.permutations()));
        details.put("token_length", Integer.toString(t.length()));
        details.put("reference_similarity", Double.toString(s.getSampleTestReferenceSimilarity()));
        details.put("cross_similarity", Double.toString(s.getSampleTestCrossSimilarity()));
        return AlertEvidence.newBuilder().setMetric(SAMPLE_TEST_METRIC).setBaseline(null)
                .setCurrent(s.getSampleTestPValue()).setThreshold(t.alpha()).setStatistic(s.getSampleTestMmd2())
                .setBaselineCount((long) s.getSampleTestReferenceSamples())
                .setCurrentCount((long) s.getSampleTestEndpointSamples()).setDetails(details).build();
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
