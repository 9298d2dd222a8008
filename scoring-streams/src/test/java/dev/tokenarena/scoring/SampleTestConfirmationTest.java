package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.FidelityStats;
import org.junit.jupiter.api.Test;

/**
 * A FIDELITY alert from the sample-only test opens only after fidelity.sample_test.confirmations
 * (shipped: 2) rejections in a row: each update re-tests a new sample over an overlapping window,
 * so a healthy endpoint at alpha 0.05 is rejected now and then, and two in a row far more rarely.
 */
class SampleTestConfirmationTest {

    static {
        try { // its initializer trusts our Avro packages (Avro 1.12 refuses untrusted classes)
            Class.forName(dev.tokenarena.schemas.serde.AvroWireSerde.class.getName());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FidelityDriftRule rule = new FidelityDriftRule(ScoringParams.defaults());

    private static FidelityStats test(String status, double p) {
        return FidelityStats.newBuilder().setEndpointId("e1").setModel("m").setReference(false).setPrompts(8)
                .setStatus(status).setEventTimeMs(0L).setMethod(EndpointFidelity.SAMPLE_TEST)
                .setSampleTestPValue(p).setSampleTestMmd2("modified".equals(status) ? 0.3 : 0.0)
                .setSampleTestPrompts(8).setSampleTestEndpointSamples(32).setSampleTestReferenceSamples(32)
                .setSampleTestReferenceSimilarity(1.0).setSampleTestCrossSimilarity(0.7).build();
    }

    /** remember, then judge: what DriftAlertProcessor does for every update. */
    private DriftRule.Verdict step(AlertState[] state, FidelityStats s) {
        state[0] = rule.remember(s, state[0]);
        return rule.judge(s, state[0]);
    }

    @Test
    void shouldOpenOnlyAfterTwoRejectionsInARowWhenOneRejectionIsFollowedByAPass() {
        AlertState[] state = {AlertState.newBuilder().build()};
        assertInstanceOf(DriftRule.Inconclusive.class, step(state, test("modified", 0.005)), "first rejection");
        assertInstanceOf(DriftRule.Healthy.class, step(state, test("faithful", 0.4)), "a pass resets the count");
        assertInstanceOf(DriftRule.Inconclusive.class, step(state, test("modified", 0.005)), "first again");
        assertInstanceOf(DriftRule.Breach.class, step(state, test("modified", 0.005)), "second in a row opens");
    }
}
