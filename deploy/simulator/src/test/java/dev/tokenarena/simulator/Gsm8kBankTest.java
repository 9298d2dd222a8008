package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class Gsm8kBankTest {

  private static final Gsm8kBank BANK = Fixtures.BANK;

  @Test
  void shouldLoadFortyItemsWhenReadingTheSampleSuite() {
    assertEquals(40, BANK.items().size());
    // First line of suites/gsm8k-sample.jsonl ends in "#### 44".
    assertEquals("44", BANK.items().get(0).answer());
  }

  @Test
  void shouldAnswerExactly36Of40WhenAccuracyIs090() {
    // round(0.90 * 40) = 36, for every endpoint id.
    for (String id : new String[] {DefaultFleet.REFERENCE, DefaultFleet.FAITHFUL, "x"}) {
      assertEquals(36, BANK.correctSet(id, 0.90).cardinality(), id);
    }
    // round(0.75 * 40) = 30, round(0.85 * 40) = 34, round(0.95 * 40) = 38.
    assertEquals(30, BANK.correctSet("x", 0.75).cardinality());
    assertEquals(34, BANK.correctSet("x", 0.85).cardinality());
    assertEquals(38, BANK.correctSet("x", 0.95).cardinality());
  }

  @Test
  void shouldKeepOnlyFormerlyCorrectItemsWhenAccuracyDrops() {
    BitSet before = BANK.correctSet(DefaultFleet.FAITHFUL, 0.90);
    BitSet after = BANK.correctSet(DefaultFleet.FAITHFUL, 0.75);
    BitSet lost = (BitSet) after.clone();
    lost.andNot(before);
    assertTrue(lost.isEmpty(), "0.75 set must be inside the 0.90 set");
  }

  @Test
  void shouldGiveTruthPlusOneToSevenWhenItemIsNotInCorrectSet() {
    int wrong = 0;
    int right = 0;
    for (Gsm8kBank.Item item : BANK.items()) {
      String given = BANK.finalAnswer(DefaultFleet.BUDGET_INT4, 0.75, item);
      if (given.equals(item.answer())) {
        right++;
        continue;
      }
      wrong++;
      int offset = new BigDecimal(given).subtract(new BigDecimal(item.answer())).intValueExact();
      assertTrue(offset >= 1 && offset <= 7, "offset " + offset + " for item " + item.index());
    }
    // 40 items, 30 correct at 0.75.
    assertEquals(30, right);
    assertEquals(10, wrong);
  }

  @Test
  void shouldPickTheLastQuestionWhenPromptHasFewShotExamples() {
    Gsm8kBank.Item shot = BANK.items().get(3);
    Gsm8kBank.Item asked = BANK.items().get(11);
    String prompt = "Q: " + shot.question() + "\nA: ...\n#### " + shot.answer() + "\nQ: " + asked.question();
    assertEquals(asked, BANK.find(prompt).orElseThrow());
    assertTrue(BANK.find("What is the capital of France?").isEmpty());
  }

  @Test
  void shouldEndWithTheHashLineWhenRenderingAnAnswer() {
    String text = Gsm8kBank.answerText("44");
    assertTrue(text.endsWith("\n#### 44"), text);
    assertNotEquals(-1, text.indexOf("The answer is 44."));
  }
}
