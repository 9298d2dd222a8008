package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.DeadLetters;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.scoring.avro.QualityStats;
import org.junit.jupiter.api.Test;

/**
 * Eval items the worker published unpriced (priced = false, cost 0: no token price known for the
 * endpoint). Accuracy does not depend on price, so they count for it; only the measured $/correct
 * does, and it is left empty rather than understated.
 *
 * <p>Wilson 95% for 3 of 4 (z = 1.959964, z^2 = 3.841459): denominator 1 + z^2/4 = 1.960365,
 * centre (0.75 + z^2/8) / 1.960365 = 0.627527, half-width
 * z * sqrt(0.75 * 0.25 / 4 + z^2/64) / 1.960365 = 0.326885 -> [0.300642, 0.954413], as in
 * {@link QualityAndContextTest}.
 */
class UnpricedEvalTest {

    @Test
    void shouldGiveAccuracyButNoMeasuredCostPerCorrectWhenEveryItemIsUnpriced() throws Exception {
        try (Fixture f = new Fixture()) {
            // 4 graded, all unpriced: item i has (i + 1) x 100 output tokens, wrong only for i = 2
            for (int i = 0; i < 4; i++) {
                f.pipe(f.evals, "sh", Events.unpricedEval("sh", T0 + (i + 1) * MINUTE, "OK", i != 2, (i + 1) * 100));
            }
            assertTrue(f.dlq.isEmpty(), "unpriced items are valid");
            QualityStats q = f.store(ScoringTopology.QUALITY_STORE, "sh");
            assertEquals(4, q.getItemCount());
            assertThreeOfFourCorrectAt250Tokens(q);
            // nothing priced: no cost, and no measured $/correct (0 / 3 would read as free)
            assertEquals(0.0, q.getCostUsdSum(), 0.0);
            assertNull(q.getUsdPerCorrectMeasured());
        }
    }

    @Test
    void shouldSumOnlyPricedCostsAndLeaveMeasuredCostPerCorrectEmptyWhenWindowMixesPricedAndUnpriced()
            throws Exception {
        try (Fixture f = new Fixture()) {
            // 2 priced items at 0.002 USD (1 correct), 2 unpriced (both correct), 1 unpriced TIMEOUT
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + MINUTE, "OK", true, 100, 0.002));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 2 * MINUTE, "OK", false, 200, 0.002));
            f.pipe(f.evals, "e1", Events.unpricedEval("e1", T0 + 3 * MINUTE, "OK", true, 300));
            f.pipe(f.evals, "e1", Events.unpricedEval("e1", T0 + 4 * MINUTE, "TIMEOUT", false, 0));
            f.pipe(f.evals, "e1", Events.unpricedEval("e1", T0 + 5 * MINUTE, "OK", true, 400));
            QualityStats q = f.store(ScoringTopology.QUALITY_STORE, "e1");
            assertEquals(5, q.getItemCount());
            assertEquals(1, q.getFailedCount());
            // graded 100 + 200 + 300 + 400 tokens, 3 correct: the timeout is not graded
            assertThreeOfFourCorrectAt250Tokens(q);
            // cost sum = 2 x 0.002 = 0.004 (priced items only); 0.004 / 3 would understate the
            // $/correct of items two-thirds of whose correct answers came unpriced -> null
            assertEquals(0.004, q.getCostUsdSum(), 1e-15);
            assertNull(q.getUsdPerCorrectMeasured());
        }
    }

    /** Accuracy 3 / 4 = 0.75 with its Wilson interval (class comment); T_e = 1000 / 4 = 250 tokens. */
    private static void assertThreeOfFourCorrectAt250Tokens(QualityStats q) {
        assertEquals(4, q.getGradedCount());
        assertEquals(3, q.getCorrectCount());
        assertEquals(0.75, q.getAccuracy(), 1e-12);
        assertEquals(0.300642, q.getAccuracyCiLow(), 1e-5);
        assertEquals(0.954413, q.getAccuracyCiHigh(), 1e-5);
        assertEquals(250.0, q.getTokensToSolution(), 1e-12);
    }

    @Test
    void shouldDivertPricedItemWithNaNOrNegativeCostButKeepUnpricedItemWhenCostIsNotAPrice() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + MINUTE, "OK", true, 100, Double.NaN));
            f.pipe(f.evals, "e1", Events.eval("e1", T0 + 2 * MINUTE, "OK", true, 100, -0.001));
            // an unpriced item's cost is never read, so not even a NaN there costs the item its grade
            f.pipe(f.evals, "e1", EvalItemResult.newBuilder(Events.unpricedEval("e1", T0 + 3 * MINUTE, "OK", true, 100))
                    .setCostUsd(Double.NaN).build());
            f.pipe(f.evals, "e1", Events.unpricedEval("e1", T0 + 4 * MINUTE, "OK", false, 100));

            var dead = f.dlq.readRecordsToList();
            assertEquals(2, dead.size());
            assertEquals("cost_usd must be finite and >= 0, got NaN",
                    DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON));
            assertEquals("cost_usd must be finite and >= 0, got -0.001",
                    DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON));
            QualityStats q = f.store(ScoringTopology.QUALITY_STORE, "e1");
            // only the two unpriced items: 1 of 2 correct
            assertEquals(2, q.getGradedCount());
            assertEquals(0.5, q.getAccuracy(), 1e-12);
            assertEquals(0.0, q.getCostUsdSum(), 0.0);
            assertNull(q.getUsdPerCorrectMeasured());
        }
    }
}
