package dev.tokenarena.scoring;

import dev.tokenarena.scoring.avro.EnergyInfo;
import dev.tokenarena.scoring.avro.PriceInfo;
import java.util.List;

/** The formulas of DESIGN section 7, as pure functions; units are in the names. */
final class CompositeMath {

    /** z for a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;
    static final double JOULES_PER_KWH = 3.6e6;

    private CompositeMath() {
    }

    /**
     * Blended price p = (r_in p_in + r_out p_out) / (r_in + r_out), USD per 1M tokens; batch
     * presets apply the batch discount to both prices.
     */
    static double blendedUsdPerMtok(ScoringParams.Preset preset, PriceInfo price) {
        double factor = preset.batchPrice() ? 1.0 - price.getBatchDiscount() : 1.0;
        return (preset.inputRatio() * price.getInputUsdPerMtok() * factor
                + preset.outputRatio() * price.getOutputUsdPerMtok() * factor)
                / (preset.inputRatio() + preset.outputRatio());
    }

    /** CCA = (p / 1e6) T / A, USD per correct answer; null when A is unknown or zero. */
    static Double usdPerCorrect(Double blendedUsdPerMtok, Double tokensToSolution, Double accuracy) {
        if (blendedUsdPerMtok == null || tokensToSolution == null || accuracy == null || accuracy <= 0) {
            return null;
        }
        return blendedUsdPerMtok / 1e6 * tokensToSolution / accuracy;
    }

    /** Energy per output token, joules: central and the low/high of the assumed ranges. */
    record EnergyPerToken(double central, double low, double high) {
    }

    /**
     * j = TDP n u PUE (1 - sigma) / R with R = per-stream output speed x concurrent streams.
     * Assumed utilization spans the configured range, a disclosed one u +/- margin (clamped to
     * (0, 1]); an assumed PUE spans its range, a disclosed one is taken as given. Null without a
     * measured speed.
     */
    static EnergyPerToken energyPerToken(EnergyInfo e, Double outputTpsP50, ScoringParams.Energy ranges) {
        if (e == null || outputTpsP50 == null || outputTpsP50 <= 0 || e.getStreamsPerReplica() <= 0) {
            return null;
        }
        double r = outputTpsP50 * e.getStreamsPerReplica();
        double uLow = e.getUtilizationAssumed() ? ranges.utilizationAssumedLow()
                : clampUtil(e.getUtilization() - ranges.utilizationMargin());
        double uHigh = e.getUtilizationAssumed() ? ranges.utilizationAssumedHigh()
                : clampUtil(e.getUtilization() + ranges.utilizationMargin());
        double pueLow = e.getPueAssumed() ? ranges.pueAssumedLow() : e.getPue();
        double pueHigh = e.getPueAssumed() ? ranges.pueAssumedHigh() : e.getPue();
        double base = e.getTdpW() * e.getAcceleratorCount() * (1.0 - e.getSparsity()) / r;
        return new EnergyPerToken(base * e.getUtilization() * e.getPue(), base * uLow * pueLow, base * uHigh * pueHigh);
    }

    private static double clampUtil(double u) {
        return Math.min(1.0, Math.max(0.01, u));
    }

    /** kWh per 1M output tokens from joules per token. */
    static double kwhPerMtok(double jPerToken) {
        return jPerToken * 1e6 / JOULES_PER_KWH;
    }

    /** Wilson 95% score interval of k successes in n trials, {low, high}; null for n = 0. */
    static double[] wilson(long k, long n) {
        if (n <= 0) {
            return null;
        }
        double p = (double) k / n;
        double z2 = Z95 * Z95;
        double denom = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denom;
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, center - half), Math.min(1, center + half)};
    }

    /**
     * Min-max normalization within a cohort, direction-adjusted so 1 is best. A missing value
     * scores 0 (an endpoint is not rewarded for what was not measured); when every present
     * value is equal they all score 1.
     */
    static double[] normalize(List<Double> values, boolean higherIsBetter) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Double v : values) {
            if (v != null) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            Double v = values.get(i);
            if (v == null) {
                out[i] = 0.0;
            } else if (max == min) {
                out[i] = 1.0;
            } else {
                out[i] = higherIsBetter ? (v - min) / (max - min) : (max - v) / (max - min);
            }
        }
        return out;
    }
}
