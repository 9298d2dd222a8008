package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VocabularyTest {

  @Test
  void shouldKeepOnlySingleO200kTokensWhenBuilt() {
    Vocabulary vocab = Fixtures.VOCABULARY;
    assertTrue(vocab.size() >= Vocabulary.MIN_WORDS, "kept " + vocab.size());
    for (int i = 0; i < vocab.size(); i++) {
      String word = vocab.word(i);
      assertTrue(word.startsWith(" "), word);
      assertEquals(1, Fixtures.O200K.encodeOrdinary(word).size(), word);
      assertEquals(vocab.tokenId(i), Fixtures.O200K.encodeOrdinary(word).get(0), word);
    }
  }

  @Test
  void shouldDropMultiTokenWordsWhenFiltering() {
    // " the" is one o200k token; " antidisestablishmentarianism" is several, so it is dropped.
    assertThrows(IllegalStateException.class,
        () -> Vocabulary.build(Fixtures.O200K, "the antidisestablishmentarianism"));
  }

  @Test
  void shouldFailFastNamingTheMinimumWhenTooFewWordsSurvive() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Vocabulary.build(Fixtures.O200K, "the river"));
    assertTrue(e.getMessage().contains("only 2 vocabulary words"), e.getMessage());
    assertTrue(e.getMessage().contains("at least 100"), e.getMessage());
  }
}
