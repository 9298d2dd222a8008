package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static dev.tokenarena.scoring.Events.position;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.scoring.avro.FidelityStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fidelity of an endpoint without logprobs through the topology: the status comes from the
 * sample-only test (shipped settings: L = 16, 4 completions per prompt and side, 200
 * permutations, alpha 0.05, min_effect 0.05), with min_prompts 2. The reference returns logprobs;
 * e1 does not, so every e1 observation has no SKL.
 *
 * <p>Completions have 8 words, so with L = 16 positions 9..16 are padding on both sides and equal:
 * one changed word gives k = 15/16, three changed words 13/16.
 */
class SampleFidelityTest {

    private static final List<String> PROMPTS = List.of("p1", "p2", "p3");

    private static ScoringParams minPrompts2() {
        return ScoringParams.parse(ScoringParamsTest.defaultYaml().replace("min_prompts: 8", "min_prompts: 2"),
                "test");
    }

    /** The reference's greedy answer to a prompt: 8 words. */
    private static String answer(String prompt) {
        return "for " + prompt + " six times seven is 42 so";
    }

    /** One changed word (42 -> 41): k(answer, changed) = 15/16. */
    private static String changed(String prompt) {
        return "for " + prompt + " six times seven is 41 so";
    }

    /** A temperature-0 divergence in the last three words: k(answer, diverged) = 13/16. */
    private static String diverged(String prompt) {
        return "for " + prompt + " six times seven equals forty two";
    }

    private static FingerprintSample reference(String prompt, long at, String completion) {
        return FingerprintSample.newBuilder(Events.fingerprint("ref", "m", prompt, at,
                List.of(position("for", 0.9, "to", 0.05)))).setCompletion(completion).build();
    }

    private static FingerprintSample withoutLogprobs(String endpoint, String prompt, long at, String completion) {
        return FingerprintSample.newBuilder(Events.fingerprint(endpoint, "m", prompt, at, List.of()))
                .setLogprobsAvailable(false).setCompletion(completion).build();
    }

    /** One round: the reference answers every prompt, then e1 does. */
    private static void round(Fixture f, int r, String referenceCompletionOfP1, String e1CompletionOfP1,
                              boolean e1Changed) {
        long at = T0 + r * MINUTE;
        for (String p : PROMPTS) {
            f.pipe(f.fingerprints, "ref", reference(p, at, p.equals("p1") ? referenceCompletionOfP1 : answer(p)));
        }
        for (String p : PROMPTS) {
            String c = p.equals("p1") ? e1CompletionOfP1 : e1Changed ? changed(p) : answer(p);
            f.pipe(f.fingerprints, "e1", withoutLogprobs("e1", p, at, c));
        }
    }

    /**
     * Rounds 1-4: e1 answers exactly like the reference: every completion identical, T = 0 and
     * every permutation gives 0 too, so p = 201/201 = 1 -> faithful.
     * Rounds 5-8: e1 answers 41 instead of 42 on every prompt. Its window of 4 fills with the new
     * answer; per prompt, with j of its 4 completions changed (s = 15/16):
     * <pre>
     * j = 2: within e1 (2 + 4 s) / 6 = 0.958333, within ref 1, cross (8 + 8 s) / 16 = 0.968750
     *        MMD² = 0.958333 + 1 - 2 x 0.968750 = 0.020833 < min_effect 0.05: faithful whatever p
     * j = 4: within e1 1, within ref 1, cross s -> MMD² = 2 (1 - 15/16) = 0.125 on every prompt
     * </pre>
     * At j = 4 a permutation reaches T only if all 3 prompts keep their 4|4 split unmixed
     * (probability 2/70 each): (2/70)^3 = 2.3e-5 per draw, so none of 200 and p = 1/201 <= 0.05,
     * MMD² 0.125 >= 0.05: modified, and one critical FIDELITY alert with the test as evidence.
     */
    @Test
    void shouldFlagAnEndpointWithoutLogprobsOnlyAfterItsCompletionsChange() throws Exception {
        try (Fixture f = new Fixture(minPrompts2())) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            for (int r = 1; r <= 4; r++) {
                round(f, r, answer("p1"), answer("p1"), false);
            }
            FidelityStats s = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals("sample_test", s.getMethod());
            assertEquals("faithful", s.getStatus());
            assertNull(s.getFidelity());
            assertEquals(1.0, s.getSampleTestPValue(), 0.0);
            assertEquals(0.0, s.getSampleTestMmd2(), 0.0);
            assertEquals(3, s.getSampleTestPrompts());
            assertEquals(12, s.getSampleTestEndpointSamples());
            assertEquals(12, s.getSampleTestReferenceSamples());
            assertEquals(1.0, s.getSampleTestReferenceSimilarity(), 0.0);
            FidelityStats ref = f.store(ScoringTopology.FIDELITY_STATS_STORE, "ref");
            assertEquals("reference", ref.getStatus());

            for (int r = 5; r <= 6; r++) {
                round(f, r, answer("p1"), changed("p1"), true);
            }
            s = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals(0.020833, s.getSampleTestMmd2(), 1e-6);
            assertEquals("faithful", s.getStatus());
            assertTrue(f.alerts.isEmpty());

            for (int r = 7; r <= 8; r++) {
                round(f, r, answer("p1"), changed("p1"), true);
            }
            s = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals(0.125, s.getSampleTestMmd2(), 1e-12);
            assertEquals(1.0 / 201, s.getSampleTestPValue(), 1e-12);
            assertEquals(15.0 / 16, s.getSampleTestCrossSimilarity(), 1e-12);
            assertEquals("modified", s.getStatus());

            List<DriftAlert> alerts = f.alerts.readValuesToList();
            assertEquals(1, alerts.size(), alerts.toString());
            DriftAlert open = alerts.get(0);
            assertEquals("OPEN", open.getState());
            assertEquals("FIDELITY", open.getKind());
            assertEquals("critical", open.getSeverity());
            assertEquals("fidelity_mmd_p_value", open.getEvidence().getMetric());
            assertEquals(0.05, open.getEvidence().getThreshold(), 0.0);
            assertEquals(12L, open.getEvidence().getBaselineCount());
            assertEquals(12L, open.getEvidence().getCurrentCount());
            assertTrue(open.getEvidence().getCurrent() <= 0.05, open.getEvidence().toString());
            assertTrue(open.getEvidence().getStatistic() >= 0.05, open.getEvidence().toString());
            assertEquals("sample_test", open.getEvidence().getDetails().get("method"));

            // e1 answers 42 again: after 2 rounds its windows hold 2 and 2, MMD² 0.020833 < 0.05 ->
            // faithful -> RESOLVED with the same alert id
            for (int r = 9; r <= 10; r++) {
                round(f, r, answer("p1"), answer("p1"), false);
            }
            List<DriftAlert> after = f.alerts.readValuesToList();
            assertEquals(1, after.size(), after.toString());
            assertEquals("RESOLVED", after.get(0).getState());
            assertEquals(open.getAlertId(), after.get(0).getAlertId());
        }
    }

    /**
     * A faithful endpoint that is merely nondeterministic at temperature 0, like its reference:
     * on p1 the reference diverged once in four runs (A, A', A, A) and e1 twice (A', A, A, A');
     * s = k(A, A') = 13/16. By hand for p1:
     * <pre>
     * within e1: (A,A) 1, (A',A') 1, four (A,A') s -> (2 + 4 s) / 6
     * within ref: three (A,A) 1, three (A,A') s -> (1 + s) / 2
     * cross: 2x3 (A,A) + 2x1 (A',A') = 8 pairs of 1, 8 pairs of s -> (1 + s) / 2
     * MMD²_p1 = (2 + 4 s) / 6 - (1 + s) / 2 = -(1 - s) / 6 = -0.03125
     * </pre>
     * p2, p3 are identical everywhere (0), so T = -0.03125 / 3 = -0.0104167: below the floor and
     * below zero, faithful, no alert.
     */
    @Test
    void shouldNotFlagANondeterministicButFaithfulEndpoint() throws Exception {
        try (Fixture f = new Fixture(minPrompts2())) {
            f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
            String a = answer("p1");
            String d = diverged("p1");
            round(f, 1, a, d, false);
            round(f, 2, d, a, false);
            round(f, 3, a, a, false);
            round(f, 4, a, d, false);
            FidelityStats s = f.store(ScoringTopology.FIDELITY_STATS_STORE, "e1");
            assertEquals(-0.0104167, s.getSampleTestMmd2(), 1e-6);
            assertEquals("faithful", s.getStatus());
            assertTrue(s.getSampleTestPValue() > 0.05, s.toString());
            assertTrue(f.alerts.isEmpty());

            // the composite carries the test beside F (null: no logprobs): probes give e1 a window,
            // a probe 2 minutes later passes the 1-minute emit interval in stream time
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 5 * MINUTE).build());
            f.pipe(f.probes, "ref", Events.probe("ref", T0 + 5 * MINUTE).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 7 * MINUTE).build());
            EndpointComposite c = f.composites.readValuesToList().stream()
                    .filter(x -> x.getEndpointId().equals("e1")).reduce((x, y) -> y).orElseThrow();
            assertEquals("sample_test", c.getFidelityMethod());
            assertEquals("faithful", c.getFidelityStatus());
            assertNull(c.getFidelity());
            assertEquals(s.getSampleTestPValue(), c.getFidelityPValue(), 0.0);
            assertEquals(-0.0104167, c.getFidelityMmd2(), 1e-6);
            assertEquals(12, c.getFidelityEndpointSamples());
            assertEquals(12, c.getFidelityReferenceSamples());
            assertEquals(3, c.getFidelityPrompts());
        }
    }
}
