package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.scoring.avro.AlertState;
import java.util.function.Supplier;

/**
 * One kind of drift alert (DESIGN section 7: FIDELITY, CANARY_HASH, TTFT_P99, ACCURACY, PRICE,
 * AVAILABILITY). A rule only judges; {@link DriftAlertProcessor} owns the (endpoint, kind) state
 * and the one-OPEN-until-RESOLVED lifecycle, so a new kind is a new rule plus one
 * {@code process(...)} call on its input stream sharing the alert store.
 */
interface DriftRule<V> {

    /** The alert kind, e.g. FIDELITY. */
    String kind();

    /**
     * The state with this observation added to the rule's own memory (history, last values),
     * before {@link #judge}; the lifecycle fields are the processor's. Default: no memory.
     */
    default AlertState remember(V value, AlertState state) {
        return state;
    }

    /** What the latest observation means, given the (endpoint, kind) state after {@link #remember}. */
    Verdict judge(V value, AlertState state);

    /** Outcome of one observation. */
    sealed interface Verdict permits Breach, Healthy, Inconclusive, Change {
    }

    /**
     * A one-off change (PRICE): there is no condition to clear, so the processor emits OPEN and
     * RESOLVED at once with the same alert_id, unless an alert of the kind is open.
     */
    record Change(String severity, String summary, AlertEvidence evidence) implements Verdict {
    }

    /** The metric is out of bounds: open an alert unless one is open. */
    record Breach(String severity, String summary, AlertEvidence evidence) implements Verdict {
    }

    /**
     * The metric is back in bounds: resolve an open alert; {@code baseline} becomes the healthy
     * reference value for later alerts (null keeps the old one). Summary and evidence are made
     * only for an alert that resolves: most verdicts are healthy ones with nothing open, and
     * formatting their summaries was a tenth of the alert processors' time.
     */
    record Healthy(Supplier<String> summary, Supplier<AlertEvidence> evidence, Double baseline, Long baselineCount)
            implements Verdict {
    }

    /** Not enough evidence either way (too few samples, reference endpoint): no transition. */
    record Inconclusive() implements Verdict {
    }
}
