package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptBuilderTest {

    private final PromptBuilder builder = new PromptBuilder(Tokenizer.O200K);

    private static String nonce() {
        return "[probe " + UUID.randomUUID() + "]\n";
    }

    @ParameterizedTest
    @ValueSource(ints = {60, 1000, 10_000, 100_000})
    void shouldHitExactTokenCountWhenBuildingTimingPrompt(int target) {
        PromptBuilder.Prompt p = builder.build(nonce() + "Filler follows.\n", "\n\nWrite a story.", null, 0, target);

        assertEquals(target, p.tokens());
        assertEquals(target, Tokenizer.O200K.count(p.text()), "checked again with an independent count");
    }

    @Test
    void shouldPlaceNeedleAtDepthWhenBuildingHaystack() {
        String needle = " The secret code is 0042-7731.";
        PromptBuilder.Prompt p = builder.build(nonce() + "Read this.\n", "\n\nWhat is the secret code?", needle, 0.25, 4096);

        assertEquals(4096, Tokenizer.O200K.count(p.text()));
        int at = p.text().indexOf(needle);
        // A quarter of the way in, give or take the head and tail: between 20% and 30% of the characters.
        double relative = (double) at / p.text().length();
        assertTrue(relative > 0.20 && relative < 0.30, "needle at " + relative);
    }

    @Test
    void shouldStartWithNonceWhenTwoPromptsShareTheirFiller() {
        PromptBuilder.Prompt a = builder.build(nonce(), "", null, 0, 500);
        PromptBuilder.Prompt b = builder.build(nonce(), "", null, 0, 500);

        assertTrue(a.text().startsWith("[probe "));
        assertNotEquals(a.text().substring(0, 40), b.text().substring(0, 40), "no shared prefix for a cache to hit");
    }

    @Test
    void shouldRefuseWhenTargetIsSmallerThanTheInstructions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.build(nonce() + "A rather long instruction line.\n", "\n\nAnd a tail.", null, 0, 5));
        assertTrue(e.getMessage().startsWith("a prompt of 5 tokens cannot hold its"), e.getMessage());
    }

    @Test
    void shouldKeepOnlySingleTokenFillerWordsWhenClassLoads() {
        assertTrue(PromptBuilder.WORDS.size() >= 50, "enough distinct filler words: " + PromptBuilder.WORDS.size());
        for (String w : PromptBuilder.WORDS) {
            assertEquals(1, Tokenizer.O200K.count(w), w);
        }
    }
}
