package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static dev.tokenarena.scoring.Events.position;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.scoring.avro.FidelityStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class FidelityAndAlertsTest {

    /** Reference distribution: x 0.6, y 0.3, other 0.1. */
    private static final List<FingerprintPosition> GOOD = List.of(position("x", 0.6, "y", 0.3));
    /** Shifted: x 0.6, z 0.3; SKL against GOOD = 0.5 ln 6 = 0.895880 (FidelityMathTest). */
    private static final List<FingerprintPosition> BAD = List.of(position("x", 0.6, "z", 0.3));

    private static ScoringParams minPrompts2() {
        return ScoringParams.parse(ScoringParamsTest.defaultYaml().replace("min_prompts: 8", "min_prompts: 2"),
                "test");
    }

    @Test
    void shouldOpenOneAlertAndResolveItWhenFidelityDropsAndRecovers() throws Exception {
        try (Fixture f = new Fixture(minPrompts2())) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p1", T0 + MINUTE, GOOD));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p2", T0 + MINUTE, GOOD));
            // e1 agrees on both prompts: SKL 0, 0 -> F = 100, 2 prompts -> faithful (baseline 100)
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p1", T0 + 2 * MINUTE, GOOD));
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p2", T0 + 2 * MINUTE, GOOD));
            FidelityStats s = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals(100.0, s.getFidelity(), 1e-6);
            assertEquals("faithful", s.getStatus());
            assertTrue(f.alerts.isEmpty());

            // p1 drifts: mean SKL = (0.895880 + 0) / 2 = 0.447940 -> F = 100 / 6^(1/4) = 63.894 -> modified: OPEN
            long openedAt = T0 + 3 * MINUTE;
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p1", openedAt, BAD));
            // p2 drifts too: F = 100 / sqrt(6) = 40.825, still modified: no second OPEN
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p2", T0 + 4 * MINUTE, BAD));
            // p1 recovers: F = 63.894, still modified; p2 recovers: F = 100 -> faithful: RESOLVED
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p1", T0 + 5 * MINUTE, GOOD));
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p2", T0 + 6 * MINUTE, GOOD));

            List<DriftAlert> alerts = f.alerts.readValuesToList();
            assertEquals(2, alerts.size(), alerts.toString());
            DriftAlert open = alerts.get(0);
            DriftAlert resolved = alerts.get(1);
            assertEquals("OPEN", open.getState());
            assertEquals("FIDELITY", open.getKind());
            assertEquals("critical", open.getSeverity());
            assertEquals("e1:FIDELITY:" + openedAt, open.getAlertId());
            assertEquals(openedAt, open.getEventTimeMs());
            assertEquals("fidelity_f", open.getEvidence().getMetric());
            assertEquals(100.0, open.getEvidence().getBaseline(), 1e-6);
            assertEquals(63.894, open.getEvidence().getCurrent(), 1e-2);
            assertEquals(90.0, open.getEvidence().getThreshold(), 1e-12);
            assertEquals(2L, open.getEvidence().getCurrentCount());
            assertEquals(f.params.configHash(), open.getConfigHash());
            assertEquals("RESOLVED", resolved.getState());
            assertEquals(open.getAlertId(), resolved.getAlertId());
            assertEquals(openedAt, resolved.getOpenedAtMs());
            assertEquals(T0 + 6 * MINUTE, resolved.getEventTimeMs());
            assertEquals(100.0, resolved.getEvidence().getCurrent(), 1e-6);
            // the alert state keeps the last event's summary for the query API's /alerts
            dev.tokenarena.scoring.avro.AlertState state = f.store(ScoringTopology.ALERT_STORE,
                    ScoringTopology.compositeKey("e1", "FIDELITY"));
            assertEquals(resolved.getSummary(), state.getSummary());
        }
    }

    @Test
    void shouldReportReferenceNoiseFloorWhenReferenceRunsTwice() throws Exception {
        try (Fixture f = new Fixture(minPrompts2())) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p1", T0 + MINUTE, GOOD));
            // second reference run differs: SKL(run2, run1) = 0.895880 -> noise floor F = 40.825
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p1", T0 + 2 * MINUTE, BAD));
            FidelityStats ref = f.store(ScoringTopology.FIDELITY_STATS_STORE, "ref");
            assertEquals("reference", ref.getStatus());
            assertEquals(40.825, ref.getNoiseFloor(), 1e-2);
            // e1 equals the latest reference (run 2): SKL 0 -> F = 100, with the noise floor attached
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p1", T0 + 3 * MINUTE, BAD));
            FidelityStats e1 = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals(100.0, e1.getFidelity(), 1e-6);
            assertEquals(40.825, e1.getNoiseFloor(), 1e-2);
            // one prompt < min 2 -> unknown, and no alert either way
            assertEquals("unknown", e1.getStatus());
            assertTrue(f.alerts.isEmpty());
        }
    }

    /**
     * A faithful SKU that is merely nondeterministic at temperature 0: its top-k logprobs jitter
     * by 0.01 like the reference's own runs do, and on a near tie (0.45 vs 0.44) it generates the
     * other token. Worked by hand (other bucket equal on both sides, so it adds nothing; epsilon
     * 1e-6 is below the tolerance); SKL term per token = (p - q) ln(p / q):
     * <pre>
     * e1 vs reference run 2 (the latest):
     *   p1 pos 0: (.60 .30 .10) vs (.59 .31 .10): .01 ln(.60/.59) + .01 ln(.31/.30) = 0.00049597
     *   p1 pos 1: (.80 .15 .05) vs (.81 .14 .05): .01 ln(.81/.80) + .01 ln(.15/.14) = 0.00081415
     *   p1 mean 0.00065506; p2 pos 0 only (tokens differ there): (.45 .44) vs (.44 .45):
     *   2 x .01 ln(.45/.44) = 0.00044947
     *   mean over prompts 0.00055227 -> F = 100 exp(-0.00055227) = 99.9448 >= 97: faithful
     * reference run 2 vs run 1 (noise): p1 (0.00050431 + 0.00077118) / 2 = 0.00063774,
     *   p2 0.00044969 -> mean 0.00054372 -> noise floor 99.9456
     * </pre>
     * The endpoint's F is within the reference's own noise (99.9448 vs 99.9456), so no alert.
     */
    @Test
    void shouldStayFaithfulWithoutAlertWhenLogprobsJitterLikeReferenceNoise() throws Exception {
        try (Fixture f = new Fixture(minPrompts2())) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p1", T0 + MINUTE,
                    List.of(position("x", 0.61, "y", 0.29), position("a", 0.79, "b", 0.16))));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p2", T0 + MINUTE,
                    List.of(position("x", 0.46, "y", 0.43))));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p1", T0 + 2 * MINUTE,
                    List.of(position("x", 0.60, "y", 0.30), position("a", 0.80, "b", 0.15))));
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", "p2", T0 + 2 * MINUTE,
                    List.of(position("x", 0.45, "y", 0.44), position("z", 0.9))));
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p1", T0 + 3 * MINUTE,
                    List.of(position("x", 0.59, "y", 0.31), position("a", 0.81, "b", 0.14))));
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", "p2", T0 + 3 * MINUTE,
                    List.of(position("y", 0.45, "x", 0.44), position("w", 0.9))));
            FidelityStats e1 = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals(99.9448, e1.getFidelity(), 1e-3);
            assertEquals(99.9456, e1.getNoiseFloor(), 1e-3);
            assertEquals("faithful", e1.getStatus());
            assertTrue(f.alerts.readValuesToList().stream().noneMatch(a -> a.getKind().equals("FIDELITY")));
        }
    }
}
