package dev.tokenarena.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TokenModelTest {

  private static final TokenModel MODEL = Fixtures.MODEL;

  @Test
  void shouldEmitIdenticalTokensWhenPromptAndSystematicNoiseRepeatWithoutRunNoise() {
    long prompt = Hashing.of("Tell me about rivers.");
    List<Token> first = MODEL.generate(prompt, 40, 0.3, 0, 0, null, false);
    List<Token> second = MODEL.generate(prompt, 40, 0.3, 0, 0, null, false);
    assertEquals(first, second);
  }

  @Test
  void shouldReportReferenceLogprobsWhenSystematicNoiseIsZero() {
    // Reference weights = systematicNoise 0. An endpoint at 0 must report the very same numbers,
    // one at 0.3 must not (its perturbation is 0.3 * N(0,1) per logit).
    long prompt = Hashing.of("fingerprint prompt 17");
    List<Token> reference = MODEL.generate(prompt, 32, 0.0, 0, 0, null, false);
    List<Token> faithful = MODEL.generate(prompt, 32, 0.0, 0, 0, null, false);
    List<Token> fp8 = MODEL.generate(prompt, 32, 0.3, 0, 0, null, false);
    for (int t = 0; t < reference.size(); t++) {
      assertEquals(reference.get(t).alternatives(), faithful.get(t).alternatives(), "position " + t);
    }
    assertNotEquals(reference.get(0).alternatives(), fp8.get(0).alternatives());
  }

  @Test
  void shouldSumToKeptMassWhenAllCandidatesAreListed() {
    // 20 candidates share 1 - 0.02 of the mass; the 2% tail is "rest of the vocabulary".
    TokenModel.Step step = MODEL.step(Hashing.of("x"), 0, 0, 0.7, 0, 0, null);
    double sum = 0;
    for (double lp : step.logprobs()) {
      sum += Math.exp(lp);
    }
    assertEquals(0.98, sum, 1e-12);
    assertEquals(TokenModel.CANDIDATES, step.candidates().length);
    assertEquals(TokenModel.CANDIDATES,
        java.util.Arrays.stream(step.candidates()).distinct().count());
  }

  @Test
  void shouldGrowMeanKlFromReferenceWhenSystematicNoiseGrows() {
    // Teacher-forced along the reference's own greedy path over 200 prompts x 32 positions.
    // For small s, KL(p || p_s) ~ s^2/2 * Var_p(z), so KL(0.7)/KL(0.3) ~ (0.7/0.3)^2 = 5.4.
    double kl0 = meanKl(0.0);
    double kl03 = meanKl(0.3);
    double kl07 = meanKl(0.7);
    assertEquals(0.0, kl0, 0.0);
    assertTrue(kl03 > 0, "KL at 0.3 = " + kl03);
    assertTrue(kl07 > kl03, "KL at 0.7 = " + kl07 + " vs 0.3 = " + kl03);
    double ratio = kl07 / kl03;
    assertTrue(ratio > 4 && ratio < 6.5, "ratio " + ratio);
  }

  @Test
  void shouldChangeSomeTokensWhenRunNoiseIsFreshPerRequest() {
    // Run noise 0.05 flips the argmax only where the top two logits are within ~0.1 of each other,
    // which happens at some positions of some prompts: over 50 prompts at least one differs, and
    // most requests still equal the reference.
    int differing = 0;
    Random run = new Random(7);
    for (int p = 0; p < 50; p++) {
      long prompt = Hashing.of("canary " + p);
      List<Token> ref = MODEL.generate(prompt, 32, 0, 0, 0, null, false);
      List<Token> noisy = MODEL.generate(prompt, 32, 0, 0.05, 0, run, false);
      if (!texts(ref).equals(texts(noisy))) {
        differing++;
      }
    }
    assertTrue(differing > 0 && differing < 25, "differing " + differing);
  }

  @Test
  void shouldMatchLocalO200kCountWhenClientTokenizesGeneratedText() {
    for (int p = 0; p < 100; p++) {
      List<Token> tokens = MODEL.generate(Hashing.of("count " + p), 64, 0.7, 0, 1.0,
          new Random(p), false);
      String text = texts(tokens);
      assertEquals(tokens.size(), Fixtures.O200K.countTokensOrdinary(text), text);
    }
  }

  @Test
  void shouldStopNaturallyBetween24And64TokensWhenPromptsVary() {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int p = 0; p < 2000; p++) {
      int n = TokenModel.naturalLength(Hashing.of("len " + p));
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    // 2000 draws over 41 values reach both ends with near certainty.
    assertEquals(24, min);
    assertEquals(64, max);
  }

  @Test
  void shouldComputeLogSoftmaxWhenGivenHandValues() {
    // logits (0, ln 3): softmax = (1/4, 3/4), so log-softmax = (ln 0.25, ln 0.75).
    assertArrayEquals(new double[] {Math.log(0.25), Math.log(0.75)},
        TokenModel.logSoftmax(new double[] {0, Math.log(3)}, 1.0), 1e-12);
  }

  static double meanKl(double systematicNoise) {
    double total = 0;
    int n = 0;
    for (int p = 0; p < 200; p++) {
      long prompt = Hashing.of("kl prompt " + p);
      long prefix = 0;
      for (int t = 0; t < 32; t++) {
        TokenModel.Step ref = MODEL.step(prompt, t, prefix, 0, 0, 0, null);
        TokenModel.Step sku = MODEL.step(prompt, t, prefix, systematicNoise, 0, 0, null);
        total += kl(ref.logprobs(), sku.logprobs());
        n++;
        prefix = TokenModel.nextPrefix(prefix,
            Fixtures.VOCABULARY.tokenId(ref.candidates()[ref.chosen()]));
      }
    }
    return total / n;
  }

  private static double kl(double[] p, double[] q) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum += Math.exp(p[i]) * (p[i] - q[i]);
    }
    return sum;
  }

  private static String texts(List<Token> tokens) {
    return tokens.stream().map(Token::text).collect(Collectors.joining());
  }
}
