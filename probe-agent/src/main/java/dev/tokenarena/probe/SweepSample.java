package dev.tokenarena.probe;

import dev.tokenarena.schemas.v1.ProbeResult;

/**
 * One finished request as the sweep counts it. Timings are null when the request did not get
 * that far (no token, or one token: no TPOT).
 */
record SweepSample(boolean ok, Double ttftMs, Double tpotMs, Double outputTps, int outputTokens) {

    static SweepSample of(ProbeResult r) {
        return new SweepSample(Outcome.OK.name().equals(r.getOutcome()), r.getTtftMs(), r.getTpotMs(), r.getOutputTps(),
                r.getOutputTokens());
    }

    /** A request that failed before it measured anything (the load itself threw). */
    static SweepSample failed() {
        return new SweepSample(false, null, null, null, 0);
    }
}
