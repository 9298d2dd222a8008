package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.schemas.v1.TokenLogprob;

/**
 * Checks of records that decode but cannot be scored. Each returns the reason, or null when the
 * record is fine. A key that differs from endpoint_id is invalid too: the record sits on the
 * wrong partition, so per-endpoint state would split across tasks.
 */
final class Validation {

    /** Logprobs above 0 are impossible; allow float rounding from servers. */
    private static final double MAX_LOGPROB = 1e-6;

    private Validation() {
    }

    /** A validator of one event type. */
    @FunctionalInterface
    interface Validator<V> {
        String reason(String key, V value);
    }

    static String probe(String key, ProbeResult r) {
        if (r == null) {
            return "tombstone (null value) on an event topic";
        }
        String bad = endpoint(key, r.getEndpointId());
        if (bad != null) {
            return bad;
        }
        if (r.getStartedAtMs() <= 0) {
            return "started_at_ms must be > 0, got " + r.getStartedAtMs();
        }
        if (blank(r.getOutcome())) {
            return "outcome is empty";
        }
        bad = firstBad("e2e_ms", r.getE2eMs(), "ttft_ms", r.getTtftMs(), "ttfv_ms", r.getTtfvMs(),
                "tpot_ms", r.getTpotMs(), "output_tps", r.getOutputTps(), "connect_ms", r.getConnectMs(),
                "tls_ms", r.getTlsMs());
        if (bad != null) {
            return bad;
        }
        return r.getOutputTokens() < 0 ? "output_tokens must be >= 0, got " + r.getOutputTokens() : null;
    }

    static String eval(String key, EvalItemResult r) {
        if (r == null) {
            return "tombstone (null value) on an event topic";
        }
        String bad = endpoint(key, r.getEndpointId());
        if (bad != null) {
            return bad;
        }
        if (r.getStartedAtMs() <= 0) {
            return "started_at_ms must be > 0, got " + r.getStartedAtMs();
        }
        // An unpriced item's cost is never read (it stays out of the cost sum), so only a priced
        // item's cost can make the record unscoreable; its accuracy must not be lost to the DLQ.
        bad = r.getPriced() ? firstBad("latency_ms", r.getLatencyMs(), "cost_usd", r.getCostUsd())
                : firstBad("latency_ms", r.getLatencyMs());
        if (bad != null) {
            return bad;
        }
        if (r.getOutputTokens() < 0 || r.getInputTokens() < 0) {
            return "token counts must be >= 0, got input " + r.getInputTokens() + ", output " + r.getOutputTokens();
        }
        return null;
    }

    static String fingerprint(String key, FingerprintSample s) {
        if (s == null) {
            return "tombstone (null value) on an event topic";
        }
        String bad = endpoint(key, s.getEndpointId());
        if (bad != null) {
            return bad;
        }
        if (s.getSampledAtMs() <= 0) {
            return "sampled_at_ms must be > 0, got " + s.getSampledAtMs();
        }
        if (blank(s.getModel()) || blank(s.getPromptId())) {
            return "model and prompt_id are required";
        }
        for (int i = 0; i < s.getPositions().size(); i++) {
            FingerprintPosition p = s.getPositions().get(i);
            if (!validLogprob(p.getLogprob())) {
                return "positions[" + i + "].logprob must be a number <= 0, got " + p.getLogprob();
            }
            for (TokenLogprob t : p.getTop()) {
                if (!validLogprob(t.getLogprob())) {
                    return "positions[" + i + "].top logprob must be a number <= 0, got " + t.getLogprob();
                }
            }
        }
        return null;
    }

    private static boolean validLogprob(double lp) {
        // -Infinity is a probability of 0 and fine; NaN and anything above 0 are not.
        return !Double.isNaN(lp) && lp <= MAX_LOGPROB;
    }

    private static String endpoint(String key, String endpointId) {
        if (blank(endpointId)) {
            return "endpoint_id is empty";
        }
        if (key == null) {
            return "record key is null (expected endpoint_id " + endpointId + ")";
        }
        if (!key.equals(endpointId)) {
            return "record key '" + key + "' does not match endpoint_id '" + endpointId + "'";
        }
        return null;
    }

    /** The first named value that is NaN, infinite or negative; pairs of (name, Double). */
    private static String firstBad(Object... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Double v = (Double) namesAndValues[i + 1];
            if (v != null && (!Double.isFinite(v) || v < 0)) {
                return namesAndValues[i] + " must be finite and >= 0, got " + v;
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
