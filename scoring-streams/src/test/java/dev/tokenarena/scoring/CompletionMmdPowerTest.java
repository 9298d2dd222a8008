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
    /** The plain test, and the shipped settings with the min_effect floor 0.05 (presets-v1.yaml). */
    private static final CompletionMmd.Settings PLAIN = new CompletionMmd.Settings(LENGTH, 200, 0.05, 0.0);
    private static final CompletionMmd.Settings SHIPPED = new CompletionMmd.Settings(LENGTH, 200, 0.05, 0.05);

    /** Rejection rate over seeded trials. */
    static double rejectionRate(int prompts, int samples, double change, double referenceNoise,
                                double endpointNoise, CompletionMmd.Settings settings, long seed) {
        return rejectionRates(prompts, samples, change, referenceNoise, endpointNoise, List.of(settings), seed,
                TRIALS)[0];
    }

    /** Rejection rates of several settings on the same seeded trials (the p-value does not depend on min_effect). */
    static double[] rejectionRates(int prompts, int samples, double change, double referenceNoise,
                                   double endpointNoise, List<CompletionMmd.Settings> settings, long seed,
                                   int trials) {
        Random rng = new Random(seed);
        int[] rejected = new int[settings.size()];
        for (int trial = 0; trial < trials; trial++) {
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
            CompletionMmd.Result r = CompletionMmd.test(byPrompt, settings.get(0), rng.nextLong());
            for (int k = 0; k < settings.size(); k++) {
                if (r.rejected(settings.get(k))) {
                    rejected[k]++;
                }
            }
        }
        double[] rates = new double[settings.size()];
        for (int k = 0; k < rates.length; k++) {
            rates[k] = (double) rejected[k] / trials;
        }
        return rates;
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

    /**
     * Why the shipped min_effect floor: a deterministic reference against an endpoint that merely
     * diverges in 20% of its samples (q = 0.2). Expected per-prompt MMD² of that difference, by
     * hand: a diverged sample (uniform start in 0..15) differs in (16 + 1) / 2 / 16 = 0.53 of its
     * positions; k(endpoint, reference) = 1 - 0.2 x 0.53 = 0.894; k(endpoint, endpoint) = 0.64 x 1
     * + 0.32 x 0.47 + 0.04 x ~0.31 = 0.803; MMD² = 0.803 + 1 - 2 x 0.894 = 0.015. With 32 prompts
     * x 4 samples the plain test finds it most of the time; with the floor 0.05 (a third of that
     * of a 5% token change, 2 x 0.05 x ~0.8) it must stay a rare event.
     */
    @Test
    void shouldNotFlagMoreNondeterminismThanTheReferenceWithTheShippedFloor() {
        double[] rates = rejectionRates(32, 4, 0.0, 0.0, 0.2, List.of(PLAIN, SHIPPED), 14, TRIALS);
        assertTrue(rates[0] >= 0.5, "plain test " + rates[0]);
        assertTrue(rates[1] <= 0.02, "with the floor " + rates[1]);
    }

    /** Prints the documented table (plain / shipped floor); asserts that it is reproducible (seeded). */
    @Test
    void shouldPrintTheSameTableForTheSameSeeds() {
        StringBuilder table = new StringBuilder(
                "| nondeterminism q (reference / endpoint) | prompts x samples a side | 0% | 5% | 10% | 30% |\n"
                        + "|---|---|---|---|---|---|\n");
        double[] changes = {0.0, 0.05, 0.1, 0.3};
        double[][] rows = {{0.2, 0.2, 8, 2}, {0.2, 0.2, 8, 4}, {0.2, 0.2, 16, 4}, {0.2, 0.2, 32, 4},
                {0.5, 0.5, 16, 4}, {0.5, 0.5, 32, 4}, {0.0, 0.0, 8, 2}, {0.0, 0.0, 16, 4},
                {0.0, 0.2, 8, 4}, {0.0, 0.2, 16, 4}, {0.0, 0.2, 32, 4}};
        for (double[] row : rows) {
            int prompts = (int) row[2];
            int samples = (int) row[3];
            table.append(String.format(Locale.ROOT, "| %.1f / %.1f | %d x %d |", row[0], row[1], prompts, samples));
            for (double c : changes) {
                double[] r = rejectionRates(prompts, samples, c, row[0], row[1], List.of(PLAIN, SHIPPED),
                        1000L * prompts + samples, 200);
                table.append(String.format(Locale.ROOT, " %.3f / %.3f |", r[0], r[1]));
            }
            table.append('\n');
        }
        System.out.println(table);
        assertEquals(rejectionRate(8, 2, 0.05, 0.2, 0.2, PLAIN, 5), rejectionRate(8, 2, 0.05, 0.2, 0.2, PLAIN, 5));
    }
}
