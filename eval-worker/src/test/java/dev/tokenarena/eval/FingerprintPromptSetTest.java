package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class FingerprintPromptSetTest {

    @Test
    void shouldCycleWithinTheFirstPromptsWhenLimited() {
        FingerprintPromptSet all = FingerprintPromptSet.load(FingerprintPromptSet.DEFAULT);
        FingerprintPromptSet first = all.firstPrompts(32);
        assertEquals(32, first.size());
        // position 33 wraps to index 33 mod 32 = 1, the set's second prompt
        assertEquals(all.prompts().get(1), first.promptAt(33));
        assertEquals("fp-v1-0031", first.promptAt(31).promptId());
    }

    @Test
    void shouldKeepWholeSetWhenLimitIsZeroOrLarger() {
        FingerprintPromptSet all = FingerprintPromptSet.load(FingerprintPromptSet.DEFAULT);
        assertSame(all, all.firstPrompts(0));
        assertSame(all, all.firstPrompts(all.size()));
        assertEquals(1024, all.size());
    }
}
