package dev.tokenarena.probe;

import java.util.List;

/**
 * What an {@code arena sweep} does: the load steps (concurrency, closed loop; or arrival rate,
 * open loop), how long each lasts, when to call the server saturated, and what makes a step
 * good enough (SLOs) and what it costs (GPU price). Checked once here; every error names the option.
 *
 * @param loads        concurrency levels or arrival rates (requests/s), ascending, tried in order
 * @param stepNanos    how long each step sends requests
 * @param minGain      saturated when a step's throughput is less than {@code 1 + minGain} times the previous one's
 * @param maxErrorRate saturated when a step's share of failed or dropped requests exceeds this
 * @param gpuHourUsd   price of one GPU-hour, USD, or null when unknown (no $/1M tokens then)
 * @param gpus         GPUs behind the endpoint
 * @param sloTtftMs    a step meets the SLO only with TTFT p99 at most this, ms; null = no TTFT SLO
 * @param sloTpotMs    and TPOT p99 at most this, ms; null = no TPOT SLO
 * @param maxInFlight  open loop: most requests in flight; further arrivals are dropped and counted
 * @param seed         open loop: seed of the Poisson arrival times
 */
public record SweepSettings(Mode mode, List<Double> loads, long stepNanos, double minGain, double maxErrorRate,
                            Double gpuHourUsd, int gpus, Double sloTtftMs, Double sloTpotMs, int maxInFlight, long seed) {

    /** Closed-loop concurrency steps or open-loop arrival-rate steps. */
    public enum Mode {
        CONCURRENCY("--concurrency"), RATE("--rates");

        final String option;

        Mode(String option) {
            this.option = option;
        }
    }

    public SweepSettings {
        loads = List.copyOf(loads);
        if (loads.isEmpty()) {
            throw new IllegalArgumentException(mode.option + ": give at least one step");
        }
        double previous = 0;
        for (double load : loads) {
            if (!(load > previous) || Double.isInfinite(load)) {
                throw new IllegalArgumentException(mode.option + " " + loads + ": steps must be finite, above 0 and ascending");
            }
            if (mode == Mode.CONCURRENCY && load != Math.rint(load)) {
                throw new IllegalArgumentException("--concurrency: " + load + " is not a whole number of requests");
            }
            previous = load;
        }
        if (stepNanos < 1_000_000L) {
            throw new IllegalArgumentException("--step-seconds must be at least 0.001");
        }
        if (!(minGain >= 0)) {
            throw new IllegalArgumentException("--min-gain must be a fraction >= 0 (0.1 = 10%), got " + minGain);
        }
        if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            throw new IllegalArgumentException("--max-error-rate must be a fraction in [0, 1], got " + maxErrorRate);
        }
        if (gpuHourUsd != null && !(gpuHourUsd > 0)) {
            throw new IllegalArgumentException("--gpu-hour-usd must be above 0, got " + gpuHourUsd);
        }
        if (gpus < 1) {
            throw new IllegalArgumentException("--gpus must be at least 1, got " + gpus);
        }
        if (sloTtftMs != null && !(sloTtftMs > 0)) {
            throw new IllegalArgumentException("--slo-ttft-ms must be above 0, got " + sloTtftMs);
        }
        if (sloTpotMs != null && !(sloTpotMs > 0)) {
            throw new IllegalArgumentException("--slo-tpot-ms must be above 0, got " + sloTpotMs);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("--max-in-flight must be at least 1, got " + maxInFlight);
        }
    }
}
