package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CompletionMmdTest {

    private static final CompletionMmd.Settings L4 = new CompletionMmd.Settings(4, 2000, 0.05, 0.0);

    private static List<String> t(String completion) {
        return CompletionMmd.tokens(completion, 4);
    }

    private static SortedMap<String, CompletionMmd.PromptSamples> one(List<List<String>> endpoint,
                                                                      List<List<String>> reference) {
        SortedMap<String, CompletionMmd.PromptSamples> m = new TreeMap<>();
        m.put("p1", new CompletionMmd.PromptSamples(endpoint, reference));
        return m;
    }

    @Test
    void shouldSplitOnWhitespaceAndTruncateToTheLength() {
        assertEquals(List.of("The", "answer", "is", "42."), CompletionMmd.tokens("  The answer\n is\t42.  ok", 4));
        assertEquals(List.of(), CompletionMmd.tokens(" \n ", 4));
        assertEquals(List.of(), CompletionMmd.tokens(null, 4));
    }

    @Test
    void shouldCountPaddingAsEqualWhenBothCompletionsAreShort() {
        // "a b" vs "a c" padded to 4: a=a, b≠c, PAD=PAD, PAD=PAD -> 3 of 4
        assertEquals(3, CompletionMmd.matches(t("a b"), t("a c"), 4));
        // "a b" vs "a b c": the third position is PAD vs c -> 3 of 4
        assertEquals(3, CompletionMmd.matches(t("a b"), t("a b c"), 4));
        // tokens beyond L are cut: the differing 5th word does not count
        assertEquals(4, CompletionMmd.matches(t("a b c d e"), t("a b c d f"), 4));
    }

    /**
     * Hand-worked, L = 4, one prompt. X = endpoint {x1 "a b c d", x2 "a b c e"}, Y = reference
     * {y1 "w x y z", y2 "w x y d"}.
     * <pre>
     * k(x1,x2) = 3/4; k(y1,y2) = 3/4; cross: k(x1,y1) = 0, k(x1,y2) = 1/4 (d at position 4),
     * k(x2,y1) = 0, k(x2,y2) = 0 -> mean 1/16
     * MMD² = 3/4 + 3/4 - 2/16 = 1.375
     * </pre>
     * Permutation null: the 6 equally likely 2|2 splits of the 4 samples.
     * <pre>
     * {x1,x2}|{y1,y2} and its mirror: 1.375
     * {x1,y1}|{x2,y2} and mirror: within 0 and 0, cross (3/4 + 1/4 + 0 + 3/4) / 4 = 7/16 -> -0.875
     * {x1,y2}|{x2,y1} and mirror: within 1/4 and 0, cross (3/4 + 0 + 0 + 3/4) / 4 = 3/8 -> -0.5
     * </pre>
     * Exact p = P(T >= 1.375) = 2/6 = 1/3. With B = 2000 the estimate (1 + hits) / 2001 has a
     * standard error sqrt((1/3)(2/3)/2000) = 0.0105, so 1/3 +- 0.035 is over 3 se.
     */
    @Test
    void shouldMatchHandWorkedMmdAndExactPermutationPValue() {
        CompletionMmd.Result r = CompletionMmd.test(one(List.of(t("a b c d"), t("a b c e")),
                List.of(t("w x y z"), t("w x y d"))), L4, 42);
        assertEquals(1.375, r.mmd2(), 1e-12);
        assertEquals(0.75, r.endpointSimilarity(), 1e-12);
        assertEquals(0.75, r.referenceSimilarity(), 1e-12);
        assertEquals(0.0625, r.crossSimilarity(), 1e-12);
        assertEquals(1.0 / 3, r.pValue(), 0.035);
        assertEquals(1, r.prompts());
        assertEquals(2, r.endpointSamples());
        assertEquals(2, r.referenceSamples());
        // p ~ 0.33 > alpha 0.05: two samples a side on one prompt can never show significance
        assertFalse(r.rejected(L4));
    }

    /**
     * Unequal sizes and two prompts, L = 4.
     * <pre>
     * p1: X = {"a b", "a b", "a c"}, Y = {"a b", "a b"}
     *   k within X: (a b, a b) = 1, (a b, a c) = 3/4 twice -> sum 2.5 over 3 pairs = 5/6
     *   k within Y: 1; cross: 2 x 2 pairs of 1, 2 pairs (a c, a b) = 3/4 -> 5.5 / 6 = 11/12
     *   MMD²_p1 = 5/6 + 1 - 22/12 = 0
     * p2: X = {"q r s t", "q r s t"}, Y = {"q r s t", "q r s u"}
     *   within X 1, within Y 3/4, cross (1 + 3/4) x 2 / 4 = 7/8 -> MMD²_p2 = 1 + 3/4 - 7/4 = 0
     * T = mean = 0; p3 has one reference completion only and is skipped.
     * </pre>
     */
    @Test
    void shouldAverageUnbiasedMmdOverPromptsAndSkipPromptsWithoutPairs() {
        SortedMap<String, CompletionMmd.PromptSamples> m = new TreeMap<>();
        m.put("p1", new CompletionMmd.PromptSamples(List.of(t("a b"), t("a b"), t("a c")),
                List.of(t("a b"), t("a b"))));
        m.put("p2", new CompletionMmd.PromptSamples(List.of(t("q r s t"), t("q r s t")),
                List.of(t("q r s t"), t("q r s u"))));
        m.put("p3", new CompletionMmd.PromptSamples(List.of(t("x"), t("y")), List.of(t("z"))));
        CompletionMmd.Result r = CompletionMmd.test(m, L4, 7);
        assertEquals(0.0, r.mmd2(), 1e-12);
        assertEquals(2, r.prompts());
        assertEquals(5, r.endpointSamples());
        assertEquals(4, r.referenceSamples());
        // endpoint similarity (5/6 + 1) / 2 = 0.916667; reference (1 + 3/4) / 2 = 0.875;
        // cross (11/12 + 7/8) / 2 = 0.895833
        assertEquals(0.916667, r.endpointSimilarity(), 1e-6);
        assertEquals(0.875, r.referenceSimilarity(), 1e-6);
        assertEquals(0.895833, r.crossSimilarity(), 1e-6);
    }

    /** Identical deterministic completions: every split gives T = 0 >= 0, so p = 2001/2001 = 1. */
    @Test
    void shouldGivePValueOneWhenBothSidesAreTheSameDeterministicCompletion() {
        List<String> c = t("the answer is 4");
        CompletionMmd.Result r = CompletionMmd.test(one(List.of(c, c), List.of(c, c)), L4, 1);
        assertEquals(0.0, r.mmd2(), 0.0);
        assertEquals(1.0, r.pValue(), 0.0);
    }

    /**
     * Twelve prompts, each deterministic on both sides but with 2 of 4 words changed: per prompt
     * MMD² = 1 + 1 - 2 x 2/4 = 1, T = 1. Only the unmixed split (and its mirror) of a prompt
     * reaches its full value, so T_b >= 1 needs that on all 12 prompts: (2/6)^12 = 1.9e-6;
     * 2000 permutations give a hit with probability 0.4%, so p = 1/2001 (the smallest possible).
     */
    @Test
    void shouldRejectWithSmallestPValueWhenEveryPromptChangedConsistently() {
        SortedMap<String, CompletionMmd.PromptSamples> m = new TreeMap<>();
        for (int p = 0; p < 12; p++) {
            List<String> ref = t("w" + p + " x y z");
            List<String> mod = t("w" + p + " x q r");
            m.put("p" + p, new CompletionMmd.PromptSamples(List.of(mod, mod), List.of(ref, ref)));
        }
        CompletionMmd.Result r = CompletionMmd.test(m, L4, 3);
        assertEquals(1.0, r.mmd2(), 1e-12);
        assertEquals(1.0 / 2001, r.pValue(), 1e-12);
        assertTrue(r.rejected(L4));
        // the effect floor: the same evidence with min_effect above T is not a change
        assertFalse(r.rejected(new CompletionMmd.Settings(4, 2000, 0.05, 1.5)));
    }

    @Test
    void shouldGiveTheSameResultForTheSameSeedAndInput() {
        SortedMap<String, CompletionMmd.PromptSamples> m = one(List.of(t("a b c d"), t("a b x d"), t("a b c d")),
                List.of(t("a b c d"), t("a y c d"), t("a b c q")));
        CompletionMmd.Settings s = new CompletionMmd.Settings(4, 200, 0.05, 0.0);
        CompletionMmd.Result first = CompletionMmd.test(m, s, 99);
        assertEquals(first, CompletionMmd.test(m, s, 99));
        // the statistic does not depend on the seed, only the permutations do
        assertEquals(first.mmd2(), CompletionMmd.test(m, s, 100).mmd2(), 0.0);
    }

    @Test
    void shouldReportNothingTestedWhenNoPromptHasPairsOnBothSides() {
        CompletionMmd.Result r = CompletionMmd.test(one(List.of(t("a")), List.of(t("a"), t("a"))), L4, 1);
        assertEquals(0, r.prompts());
        assertFalse(r.rejected(L4));
    }

    @Test
    void shouldRefuseSettingsThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new CompletionMmd.Settings(0, 200, 0.05, 0));
        assertThrows(IllegalArgumentException.class, () -> new CompletionMmd.Settings(16, 200, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CompletionMmd.Settings(16, 200, 0.05, -1));
    }
}
