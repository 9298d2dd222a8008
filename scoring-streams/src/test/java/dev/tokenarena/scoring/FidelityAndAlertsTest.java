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
}
