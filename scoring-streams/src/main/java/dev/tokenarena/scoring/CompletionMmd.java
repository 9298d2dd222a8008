package dev.tokenarena.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;

/**
 * Sample-only two-sample test for endpoints without logprobs (DESIGN section 7, after "Model
 * Equality Testing", Gao, Liang and Guestrin 2024): do an endpoint's completions of the reference
 * prompts come from the same distribution as its reference endpoint's completions of the same
 * prompts?
 *
 * <p>Kernel: completions are cut into whitespace tokens, truncated or padded to a fixed length L;
 * k(x, y) = (equal positions) / L, a padding position equal to a padding position. It is the inner
 * product of per-position one-hot codes over (vocabulary + PAD), divided by L, so it is positive
 * definite and MMD with it is a metric on distributions of padded sequences.
 *
 * <p>Statistic: per prompt p with m >= 2 endpoint completions X and n >= 2 reference completions Y,
 * the unbiased MMD²
 * <pre>
 *   MMD²_p = Σ_{i≠j} k(x_i, x_j) / (m(m-1)) + Σ_{i≠j} k(y_i, y_j) / (n(n-1)) - 2 Σ_{i,j} k(x_i, y_j) / (mn)
 * </pre>
 * and T = the mean of MMD²_p over the prompts tested. Prompts are a fixed design (the same set is
 * sent to both), not a random draw, so the test conditions on them: T is an unbiased estimate of
 * the mean per-prompt MMD² (0 exactly when every prompt's two distributions are equal), and the
 * permutation null shuffles the endpoint/reference labels <em>within</em> each prompt, keeping
 * m and n, which is exact under "equal distributions for every prompt". Pooling all samples
 * across prompts would instead mix prompts and test the prompt mix, not the model.
 *
 * <p>p-value = (1 + #{b : T_b >= T}) / (1 + B) over B permutations drawn from a {@link Random}
 * seeded by the caller (its LCG is specified by the JDK, so a replay gives the same p-value
 * bit for bit). Kernel sums are integer match counts, so the same split of samples always gives
 * the same double and ties are counted exactly.
 */
final class CompletionMmd {

    private CompletionMmd() {
    }

    /**
     * Test settings.
     *
     * @param length       L, tokens compared per completion (longer ones truncated, shorter padded)
     * @param permutations B, label shuffles for the p-value
     * @param alpha        rejection level of the p-value
     * @param minEffect    smallest T that counts as a change (see {@link Result#rejected})
     */
    record Settings(int length, int permutations, double alpha, double minEffect) {
        Settings {
            if (length < 1 || permutations < 1 || !(alpha > 0 && alpha < 1) || !(minEffect >= 0)) {
                throw new IllegalArgumentException("bad sample-test settings: length " + length + ", permutations "
                        + permutations + ", alpha " + alpha + ", min_effect " + minEffect);
            }
        }
    }

    /** One prompt's completions, already tokenized: the endpoint's and its reference's. */
    record PromptSamples(List<List<String>> endpoint, List<List<String>> reference) {
    }

    /**
     * Outcome. Similarities are mean kernel values averaged over the tested prompts: the
     * reference's agreement with itself (its run-to-run variation), the endpoint's with itself,
     * and the endpoint's with the reference; mmd2 = endpoint + reference - 2 cross.
     */
    record Result(double mmd2, double pValue, int prompts, int endpointSamples, int referenceSamples,
                  double referenceSimilarity, double endpointSimilarity, double crossSimilarity, int permutations) {

        /**
         * A change: p <= alpha and T >= min_effect. The effect floor keeps a long, well-powered
         * record from flagging a difference too small to matter (e.g. a little more temperature-0
         * nondeterminism than the reference's); 0 gives the plain test.
         */
        boolean rejected(Settings s) {
            return prompts > 0 && pValue <= s.alpha() && mmd2 >= s.minEffect();
        }
    }

    /** Whitespace tokens of a completion, at most {@code length} of them. */
    static List<String> tokens(String completion, int length) {
        String trimmed = completion == null ? "" : completion.strip();
        if (trimmed.isEmpty()) {
            return List.of();
        }
        String[] all = trimmed.split("\\s+");
        return List.of(Arrays.copyOf(all, Math.min(all.length, length)));
    }

    /** Equal positions of two token lists padded to {@code length}: k(a, b) times L. */
    static int matches(List<String> a, List<String> b, int length) {
        int equal = 0;
        for (int i = 0; i < length; i++) {
            String x = i < a.size() ? a.get(i) : null;
            String y = i < b.size() ? b.get(i) : null;
            if (x == null ? y == null : x.equals(y)) {
                equal++;
            }
        }
        return equal;
    }

    /**
     * Runs the test over the prompts with at least 2 completions on each side (the unbiased
     * within-side terms need a pair); the others are skipped and not counted. Prompt order is the
     * map's (sorted), which fixes the order of random draws.
     */
    static Result test(SortedMap<String, PromptSamples> byPrompt, Settings s, long seed) {
        List<Prompt> prompts = new ArrayList<>();
        int endpointSamples = 0;
        int referenceSamples = 0;
        for (PromptSamples ps : byPrompt.values()) {
            if (ps.endpoint().size() >= 2 && ps.reference().size() >= 2) {
                prompts.add(new Prompt(ps, s.length()));
                endpointSamples += ps.endpoint().size();
                referenceSamples += ps.reference().size();
            }
        }
        if (prompts.isEmpty()) {
            return new Result(0.0, 1.0, 0, 0, 0, 0.0, 0.0, 0.0, 0);
        }
        double[] observed = new double[3];
        double t = 0;
        for (Prompt p : prompts) {
            double[] sims = p.similarities(s.length());
            t += sims[0] + sims[1] - 2 * sims[2];
            for (int k = 0; k < 3; k++) {
                observed[k] += sims[k];
            }
        }
        int n = prompts.size();
        t /= n;
        Random rng = new Random(seed);
        int atLeast = 0;
        for (int b = 0; b < s.permutations(); b++) {
            double tb = 0;
            for (Prompt p : prompts) {
                p.shuffle(rng);
                double[] sims = p.similarities(s.length());
                tb += sims[0] + sims[1] - 2 * sims[2];
            }
            if (tb / n >= t) {
                atLeast++;
            }
        }
        for (Prompt p : prompts) {
            p.reset();
        }
        double pValue = (1.0 + atLeast) / (1.0 + s.permutations());
        return new Result(t, pValue, n, endpointSamples, referenceSamples, observed[1] / n, observed[0] / n,
                observed[2] / n, s.permutations());
    }

    /** One prompt: the match counts between all its samples and the current label split. */
    private static final class Prompt {
        private final int m;
        private final int[][] match;
        private final int[] order;

        Prompt(PromptSamples ps, int length) {
            List<List<String>> all = new ArrayList<>(ps.endpoint());
            all.addAll(ps.reference());
            this.m = ps.endpoint().size();
            int size = all.size();
            this.match = new int[size][size];
            for (int i = 0; i < size; i++) {
                for (int j = i + 1; j < size; j++) {
                    match[i][j] = matches(all.get(i), all.get(j), length);
                    match[j][i] = match[i][j];
                }
            }
            this.order = new int[size];
            reset();
        }

        void reset() {
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
        }

        /** Fisher-Yates: a uniform relabelling with m endpoint and n reference samples. */
        void shuffle(Random rng) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
        }

        /** Mean kernel within the endpoint side, within the reference side, and across. */
        double[] similarities(int length) {
            int n = order.length - m;
            long xx = 0;
            long yy = 0;
            long xy = 0;
            for (int a = 0; a < order.length; a++) {
                for (int b = a + 1; b < order.length; b++) {
                    int v = match[order[a]][order[b]];
                    boolean ax = a < m;
                    boolean bx = b < m;
                    if (ax && bx) {
                        xx += v;
                    } else if (!ax && !bx) {
                        yy += v;
                    } else {
                        xy += v;
                    }
                }
            }
            // unordered pairs: within sums cover m(m-1)/2 pairs, the cross sum m n pairs
            return new double[] {2.0 * xx / ((double) m * (m - 1) * length),
                    2.0 * yy / ((double) n * (n - 1) * length), (double) xy / ((double) m * n * length)};
        }
    }
}
