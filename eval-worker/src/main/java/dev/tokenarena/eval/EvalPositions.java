package dev.tokenarena.eval;

/**
 * How far one endpoint has got, as absolute counters that only grow: the suite item is
 * {@code evalPosition mod suite size} and the pass (run) is {@code evalPosition / suite size};
 * likewise for the fingerprint prompts. Saved between rounds so a restart resumes.
 *
 * @param evalPosition suite items requested so far, count
 * @param fingerprintPosition fingerprint prompts requested so far, count
 */
public record EvalPositions(long evalPosition, long fingerprintPosition) {

    public static final EvalPositions START = new EvalPositions(0, 0);

    public EvalPositions {
        if (evalPosition < 0 || fingerprintPosition < 0) {
            throw new IllegalArgumentException("positions must be >= 0, got " + evalPosition + ", " + fingerprintPosition);
        }
    }
}
