package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.scoring.avro.EvalWindowAgg;
import dev.tokenarena.scoring.avro.QualityStats;

/**
 * Eval items into accuracy. Only outcome OK is graded: a timeout or HTTP error says nothing
 * about whether the model knows the answer, so it counts against reliability (failed_count),
 * not accuracy. Costs of failed items still count in the measured $/correct, because they were
 * paid for. T_e is the mean output tokens (reasoning included) of graded items.
 *
 * <p>An unpriced item ({@code priced = false}: the worker knew no token price, e.g. a self-hosted
 * endpoint) counts for accuracy and T_e like any other but adds nothing to the cost sum, and a
 * window holding one has no measured $/correct: a sum over the priced items alone, divided by all
 * correct answers, would understate it. The aggregate counts unpriced items rather than priced
 * ones because an aggregate stored before the count existed reads its default 0, which is right
 * for it (unpriced items never got past validation then); a priced count read as 0 would not be.
 */
final class EvalAggregation {

    private EvalAggregation() {
    }

    static EvalWindowAgg empty() {
        return EvalWindowAgg.newBuilder().build();
    }

    static EvalWindowAgg add(EvalItemResult r, EvalWindowAgg agg) {
        EvalWindowAgg.Builder b = EvalWindowAgg.newBuilder(agg).setItemCount(agg.getItemCount() + 1);
        if (r.getPriced()) {
            b.setCostUsdSum(agg.getCostUsdSum() + r.getCostUsd());
        } else {
            b.setUnpricedCount(agg.getUnpricedCount() + 1);
        }
        if (ProbeSketches.OK.equals(r.getOutcome())) {
            b.setGradedCount(agg.getGradedCount() + 1)
                    .setOutputTokensSum(agg.getOutputTokensSum() + r.getOutputTokens());
            if (r.getCorrect()) {
                b.setCorrectCount(agg.getCorrectCount() + 1);
            }
        }
        return b.build();
    }

    static QualityStats stats(long windowStartMs, long windowEndMs, EvalWindowAgg agg) {
        long n = agg.getGradedCount();
        long k = agg.getCorrectCount();
        double[] ci = CompositeMath.wilson(k, n);
        return QualityStats.newBuilder()
                .setWindowStartMs(windowStartMs).setWindowEndMs(windowEndMs)
                .setItemCount(agg.getItemCount()).setGradedCount(n).setCorrectCount(k)
                .setFailedCount(agg.getItemCount() - n)
                .setAccuracy(n == 0 ? null : (double) k / n)
                .setAccuracyCiLow(ci == null ? null : ci[0])
                .setAccuracyCiHigh(ci == null ? null : ci[1])
                .setTokensToSolution(n == 0 ? null : (double) agg.getOutputTokensSum() / n)
                .setCostUsdSum(agg.getCostUsdSum())
                .setUsdPerCorrectMeasured(k == 0 || agg.getUnpricedCount() > 0 ? null : agg.getCostUsdSum() / k)
                .build();
    }
}
