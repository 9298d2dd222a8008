package dev.tokenarena.scoring;

import dev.tokenarena.scoring.avro.ConcurrencyStats;
import dev.tokenarena.scoring.avro.EnergyInfo;
import dev.tokenarena.scoring.avro.PriceInfo;
import java.util.List;

/** The formulas of DESIGN section 7, as pure functions; units are in the names. */
final class CompositeMath {

    /** z for a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;
    static final double JOULES_PER_KWH = 3.6e6;
    static final double SECONDS_PER_HOUR = 3600.0;

    private CompositeMath() {
    }

    /**
     * Blended price p = (r_in p_in + r_out p_out) / (r_in + r_out), USD per 1M tokens. The
     * preset's cached-input share s of input tokens costs the cached-input price, so p_in =
     * (1 - s) input + s cached (cached = input when not quoted: no discount is assumed); batch
     * presets apply the batch discount to every price.
     */
    static double blendedUsdPerMtok(ScoringParams.Preset preset, PriceInfo price) {
        double factor = preset.batchPrice() ? 1.0 - price.getBatchDiscount() : 1.0;
        double cached = price.getCachedInputUsdPerMtok() == null ? price.getInputUsdPerMtok()
                : price.getCachedInputUsdPerMtok();
        double share = preset.cachedInputShare();
        double input = (1.0 - share) * price.getInputUsdPerMtok() + share * cached;
        return (preset.inputRatio() * input * factor + preset.outputRatio() * price.getOutputUsdPerMtok() * factor)
                / (preset.inputRatio() + preset.outputRatio());
    }

    /**
     * Blended price of a self-hosted endpoint: GPU time is paid per output token (prefill runs
     * inside the measured time), so p_in = 0 and p_out = its $/1M output tokens; no batch discount
     * (nobody grants one on your own GPUs).
     */
    static double blendedSelfHostedUsdPerMtok(ScoringParams.Preset preset, double usdPerMtokOutput) {
        return preset.outputRatio() * usdPerMtokOutput / (preset.inputRatio() + preset.outputRatio());
    }

    /**
     * Aggregate output tokens/s of a closed-loop level by Little's law: c requests always in
     * flight, each taking mean e2e for mean output tokens, give c x sum tokens / sum e2e seconds.
     * End-to-end time (not per-stream decode speed x c) so queueing and prefill count against the
     * endpoint. Null without a usable measurement.
     */
    static Double aggregateOutputTps(ConcurrencyStats level) {
        if (level.getOkCount() <= 0 || level.getOutputTokensSum() <= 0 || level.getE2eMsSum() <= 0) {
            return null;
        }
        return level.getConcurrency() * level.getOutputTokensSum() / (level.getE2eMsSum() / 1000.0);
    }

    /** $/1M output tokens = ($/GPU-hour x GPUs) / (aggregate tokens/s x 3600) x 1e6. */
    static double selfHostedUsdPerMtok(double gpuHourUsd, int gpus, double aggregateOutputTps) {
        return gpuHourUsd * gpus / (aggregateOutputTps * SECONDS_PER_HOUR) * 1e6;
    }

    /**
     * Self-hosted price at one measured level. {@code sloMet} is null when no SLO applied (batch).
     */
    record SelfHostedCost(int concurrency, double aggregateOutputTps, double usdPerMtok, Boolean sloMet) {
    }

    /**
     * The cheapest level that still meets the SLO (DESIGN section 7): the highest aggregate
     * throughput among levels whose TTFT p90 and per-stream speed p50 meet it; a level missing
     * either figure does not meet it. When none does, the lowest concurrency (the best service a
     * buyer can get, so the dearest price) with sloMet false. A null SLO (batch presets) takes the
     * highest throughput. Null when the endpoint is not self-hosted or no level was measured.
     */
    static SelfHostedCost selfHostedCost(Double gpuHourUsd, Integer gpus, List<ConcurrencyStats> levels,
                                         ScoringParams.SelfHostedSlo slo) {
        if (gpuHourUsd == null || gpus == null || gpus <= 0 || levels == null) {
            return null;
        }
        ConcurrencyStats best = null;
        double bestTps = 0;
        ConcurrencyStats lowest = null;
        for (ConcurrencyStats level : levels) {
            Double tps = aggregateOutputTps(level);
            if (tps == null) {
                continue;
            }
            if (lowest == null || level.getConcurrency() < lowest.getConcurrency()) {
                lowest = level;
            }
            boolean met = slo == null || level.getTtftMsP90() != null && level.getTtftMsP90() <= slo.ttftMsP90Max()
                    && level.getOutputTpsP50() != null && level.getOutputTpsP50() >= slo.outputTpsP50Min();
            // ties go to the lower concurrency: the same price at better latency
            if (met && (best == null || tps > bestTps
                    || tps == bestTps && level.getConcurrency() < best.getConcurrency())) {
                best = level;
                bestTps = tps;
            }
        }
        ConcurrencyStats chosen = best != null ? best : lowest;
        if (chosen == null) {
            return null;
        }
        double tps = aggregateOutputTps(chosen);
        return new SelfHostedCost(chosen.getConcurrency(), tps, selfHostedUsdPerMtok(gpuHourUsd, gpus, tps),
                slo == null ? null : best != null);
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
