package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResponderTest {

  private static final Responder RESPONDER = Fixtures.RESPONDER;

  @Test
  void shouldCountPromptTokensWithO200kWhenAnswering() {
    String prompt = "Tell me a story about a river and a mountain.";
    Responder.Answer answer = RESPONDER.answer(Fixtures.quiet("a", WireStyle.OPENAI).build(),
        prompt, 1000, 0, null, true);
    assertEquals(Fixtures.O200K.countTokensOrdinary(prompt), answer.promptTokens());
    assertEquals(Responder.Kind.FREE, answer.kind());
    assertEquals("stop", answer.finishReason());
    int n = answer.tokens().size();
    assertTrue(n >= 24 && n <= 64, "natural length " + n);
  }

  @Test
  void shouldCutAtMaxTokensWithLengthWhenBudgetIsBelowNaturalLength() {
    // Natural length is at least 24, so a budget of 5 always truncates.
    Responder.Answer answer = RESPONDER.answer(Fixtures.quiet("a", WireStyle.OPENAI).build(),
        "anything", 5, 0, null, true);
    assertEquals(5, answer.tokens().size());
    assertEquals("length", answer.finishReason());
  }

  @Test
  void shouldEmitReasoningFirstAndCountItInBudgetWhenSkuReasons() {
    SkuSpec think = Fixtures.quiet("t", WireStyle.OPENAI).reasoningTokens(24).build();
    Responder.Answer full = RESPONDER.answer(think, "why is the sky blue", 1000, 0, null, true);
    assertEquals(24, full.reasoningTokens());
    for (int i = 0; i < full.tokens().size(); i++) {
      assertEquals(i < 24, full.tokens().get(i).reasoning(), "token " + i);
    }
    assertEquals("stop", full.finishReason());
    // Budget 10 < 24 reasoning tokens: 10 reasoning tokens, no visible content, "length".
    Responder.Answer cut = RESPONDER.answer(think, "why is the sky blue", 10, 0, null, true);
    assertEquals(10, cut.tokens().size());
    assertEquals(10, cut.reasoningTokens());
    assertEquals("length", cut.finishReason());
    // Same weights as the reference, so the visible text equals a non-reasoning endpoint's.
    Responder.Answer plain = RESPONDER.answer(Fixtures.quiet("p", WireStyle.OPENAI).build(),
        "why is the sky blue", 1000, 0, null, true);
    assertEquals(plain.text(false), full.text(false));
  }

  @Test
  void shouldAnswerGsm8kTruthWhenItemIsInCorrectSet() {
    Gsm8kBank.Item item = Fixtures.BANK.items().get(0);
    SkuSpec perfect = Fixtures.quiet("perfect", WireStyle.OPENAI).accuracy(1.0).build();
    Responder.Answer answer = RESPONDER.answer(perfect, "Solve: " + item.question(), 1000, 0, null, true);
    assertEquals(Responder.Kind.GSM8K, answer.kind());
    assertTrue(answer.text(false).endsWith("#### 44"), answer.text(false));
    // Scripted text is cut into o200k tokens, so usage equals the client's local count.
    assertEquals(Fixtures.O200K.countTokensOrdinary(answer.text(false)), answer.tokens().size());
    SkuSpec hopeless = Fixtures.quiet("hopeless", WireStyle.OPENAI).accuracy(0.0).build();
    String wrong = RESPONDER.answer(hopeless, item.question(), 1000, 0, null, true).text(false);
    assertFalse(wrong.endsWith("#### 44"), wrong);
  }

  @Test
  void shouldRetrieveNeedleOnlyWhenPromptFitsEffectiveContext() {
    StringBuilder hay = new StringBuilder("The secret code is 481516. ");
    for (int i = 0; i < 200; i++) {
      hay.append("The river runs past the old mill and the garden. ");
    }
    hay.append("What is the secret code?");
    String prompt = hay.toString();
    int promptTokens = Fixtures.O200K.countTokensOrdinary(prompt);
    SkuSpec roomy = Fixtures.quiet("roomy", WireStyle.OPENAI).effectiveContextTokens(promptTokens).build();
    SkuSpec cramped = Fixtures.quiet("cramped", WireStyle.OPENAI)
        .effectiveContextTokens(promptTokens - 1).build();
    Responder.Answer found = RESPONDER.answer(roomy, prompt, 100, 0, null, true);
    Responder.Answer missed = RESPONDER.answer(cramped, prompt, 100, 0, null, true);
    assertEquals(Responder.Kind.NEEDLE, found.kind());
    assertEquals(" The secret code is 481516.", found.text(false));
    assertFalse(missed.text(false).contains("481516"), missed.text(false));
    assertEquals(6, Needle.wrongCode("481516").length());
  }

  @Test
  void shouldNotTreatPromptAsNeedleWhenCodeIsNeverAskedFor() {
    assertTrue(Needle.find("The secret code is 42. Tell me about rivers.").isEmpty());
    assertEquals("42", Needle.find("The secret code is 42. What was the secret code?").orElseThrow());
  }

  @Test
  void shouldDifferBetweenRequestsWhenTemperatureIsPositive() {
    SkuSpec spec = Fixtures.quiet("warm", WireStyle.OPENAI).build();
    String a = RESPONDER.answer(spec, "sample me", 30, 1.0, new Random(1), true).text(false);
    String b = RESPONDER.answer(spec, "sample me", 30, 1.0, new Random(2), true).text(false);
    String greedy1 = RESPONDER.answer(spec, "sample me", 30, 0, new Random(1), true).text(false);
    String greedy2 = RESPONDER.answer(spec, "sample me", 30, 0, new Random(2), true).text(false);
    assertFalse(a.equals(b), "sampling at T=1 with different seeds should differ");
    assertEquals(greedy1, greedy2);
  }
}
