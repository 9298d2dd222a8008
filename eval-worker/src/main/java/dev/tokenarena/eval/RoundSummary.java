package dev.tokenarena.eval;

/**
 * What one round did, for progress logs and tests.
 *
 * @param round 1-based round number of this worker
 * @param endpoints endpoints evaluated, count
 * @param items eval items requested, count
 * @param itemsOk items whose request succeeded and were graded, count
 * @param correct items graded correct, count
 * @param costUsd summed cost of the round's items at current list prices, USD (NaN if a price was unknown)
 * @param fingerprints fingerprint prompts requested, count
 * @param fingerprintsOk fingerprint samples published, count
 * @param sinkErrors records the sink refused, count
 * @param durationMs wall duration of the round, milliseconds
 */
public record RoundSummary(long round, int endpoints, int items, int itemsOk, int correct, double costUsd,
                           int fingerprints, int fingerprintsOk, int sinkErrors, double durationMs) {
}
