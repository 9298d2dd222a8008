package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Power and false-positive rate of {@link CompletionMmd} by seeded simulation; the table it prints
 * is the one in docs/scoring.md ("Sample-only test: power").
 *
 * <p>Model of a fleet at temperature 0: each prompt has a reference completion of L = 16 tokens
 * drawn from 1000 words. Every sample, on either side, is that completion except that with
 * probability q it diverges at a uniformly drawn position, after which its tokens are fresh random
 * words (batch-dependent numerics flip one near-tie and the rest of the greedy path follows).
 * A modified endpoint changes each position of each prompt's completion with probability c, once
 * per trial (a systematic change, e.g. other weights or quantization), then is just as
 * nondeterministic. Each trial draws new completions; one test per trial.
 */
class CompletionMmdPowerTest {

    private static final int LENGTH = 16;
    private static final int VOCABULARY = 1000;
    private static final int TRIALS = 400;
    private static final CompletionMmd.Settings PLAIN = new CompletionMmd.Settings(LENGTH, 200, 0.05, 0.0);

    /** Rejection rate over seeded trials. */
    static double rejectionRate(int prompts, int samples, double change, double referenceNoise,
                                double endpointNoise, CompletionMmd.Settings settings, long seed) {
        Random rng = new Random(seed);
        int rejected = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            SortedMap<String, CompletionMmd.PromptSamples> byPrompt = new TreeMap<>();
            for (int p = 0; p < prompts; p++) {
                List<String> base = words(rng, LENGTH);
                List<String> modified = new ArrayList<>(base);
                for (int i = 0; i < LENGTH; i++) {
                    if (rng.nextDouble() < change) {
                        modified.set(i, "changed-" + rng.nextInt(VOCABULARY));
                    }
                }
                List<List<String>> endpoint = new ArrayList<>();
                List<List<String>> reference = new ArrayList<>();
                for (int k = 0; k < samples; k++) {
                    endpoint.add(nondeterministic(modified, endpointNoise, rng));
                    reference.add(nondeterministic(base, referenceNoise, rng));
                }
                byPrompt.put(String.format(Locale.ROOT, "p%03d", p),
                        new CompletionMmd.PromptSamples(endpoint, reference));
            }
            if (CompletionMmd.test(byPrompt, settings, rng.nextLong()).rejected(settings)) {
                rejected++;
            }
        }
        return (double) rejected / TRIALS;
    }

    private static List<String> words(Random rng, int n) {
        List<String> w = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            w.add("w" + rng.nextInt(VOCABULARY));
        }
        return w;
    }

    private static List<String> nondeterministic(List<String> greedy, double q, Random rng) {
        if (rng.nextDouble() >= q) {
            return greedy;
        }
        int from = rng.nextInt(greedy.size());
        List<String> out = new ArrayList<>(greedy.subList(0, from));
        out.addAll(words(rng, greedy.size() - from));
        return out;
    }

    /**
     * At no change the permutation test is exact, so the rejection rate estimates alpha 0.05:
     * with 400 trials its standard error is sqrt(0.05 x 0.95 / 400) = 0.011, and 0.05 +- 3 se
     * gives [0.017, 0.083]. Nondeterminism q = 0.5 on both sides so that T actually varies (at
     * q = 0 every split gives T = 0 and p = 1).
     */
    @Test
    void shouldRejectAtAboutAlphaWhenNothingChanged() {
        double fpr = rejectionRate(16, 4, 0.0, 0.5, 0.5, PLAIN, 11);
        assertTrue(fpr >= 0.017 && fpr <= 0.083, "false-positive rate " + fpr);
    }

    /** 30% of tokens changed on 8 prompts with 4 samples a side is a gross change: always found. */
    @Test
    void shouldAlmostAlwaysRejectWhenThirtyPercentOfTokensChanged() {
        assertTrue(rejectionRate(8, 4, 0.3, 0.2, 0.2, PLAIN, 12) >= 0.95);
    }

    /** 10% changed on 16 prompts with 4 samples: found in at least 9 trials of 10. */
    @Test
    void shouldUsuallyRejectWhenTenPercentOfTokensChanged() {
        assertTrue(rejectionRate(16, 4, 0.1, 0.2, 0.2, PLAIN, 13) >= 0.9);
    }

    /** Prints the documented table; asserts only that it is reproducible (seeded). */
    @Test
    void shouldPrintTheSameTableForTheSameSeeds() {
        StringBuilder table = new StringBuilder();
        double[] changes = {0.0, 0.05, 0.1, 0.3};
        int[][] designs = {{8, 2}, {8, 4}, {16, 2}, {16, 4}, {32, 4}};
        for (double[] noise : new double[][] {{0.2, 0.2}, {0.0, 0.0}, {0.0, 0.2}}) {
            for (int[] d : designs) {
                table.append(String.format(Locale.ROOT, "| q ref %.1f, q endpoint %.1f | %d x %d |", noise[0],
                        noise[1], d[0], d[1]));
                for (double c : changes) {
                    table.append(String.format(Locale.ROOT, " %.3f |",
                            rejectionRate(d[0], d[1], c, noise[0], noise[1], PLAIN, 100 + d[0] * 10 + d[1])));
                }
                table.append('\n');
            }
        }
        System.out.println(table);
        assertEquals(rejectionRate(8, 2, 0.05, 0.2, 0.2, PLAIN, 5), rejectionRate(8, 2, 0.05, 0.2, 0.2, PLAIN, 5));
    }
}
