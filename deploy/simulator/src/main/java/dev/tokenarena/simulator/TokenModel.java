package dev.tokenarena.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A deterministic stand-in for a language model whose weights can be perturbed by a known amount.
 *
 * <p>At position {@code t} of a prompt, the step seed is {@code s = H(H(prompt), t, H(prefix))}
 * where {@code prefix} is the token ids generated so far. From {@code new Random(s)}: the
 * candidate set is {@value #CANDIDATES} distinct vocabulary words (partial Fisher-Yates), then
 * their base logits {@code b ~ N(0, }{@value #BASE_LOGIT_STD}{@code ^2)}. An endpoint's logits are
 * <pre>  l = b + systematicNoise * z_sys + runNoise * z_run</pre>
 * with {@code z_sys ~ N(0,1)} from {@code new Random(H(QUANT_SEED, s))} — one seed shared by all
 * endpoints, so equal {@code systematicNoise} means equal weights and 0 means exactly the
 * reference weights — and {@code z_run ~ N(0,1)} fresh per request. At temperature 0 the token is
 * the argmax; above 0 it is sampled from {@code softmax(l / T)} with the per-request random source.
 *
 * <p>Reported log-probabilities are {@code log_softmax(l) + log(1 - }{@value #TAIL_MASS}{@code )}:
 * the tail mass stands for the rest of the vocabulary, so reported top-k probabilities sum to
 * less than 1 as on real servers. java.util.Random is used on purpose: its sequence is specified,
 * so the truth is the same on every JVM.
 */
final class TokenModel {

  static final int CANDIDATES = 20;
  static final double BASE_LOGIT_STD = 2.0;
  static final double TAIL_MASS = 0.02;
  static final int MIN_NATURAL_LENGTH = 24;
  static final int MAX_NATURAL_LENGTH = 64;
  /** Shared by every endpoint: the perturbation direction is a property of the model family. */
  static final long QUANT_SEED = Hashing.of("quant");
  private static final long LENGTH_SALT = Hashing.of("natural-length");
  private static final double LOG_KEPT_MASS = Math.log(1 - TAIL_MASS);

  private final Vocabulary vocabulary;

  TokenModel(Vocabulary vocabulary) {
    if (vocabulary.size() < CANDIDATES) {
      throw new IllegalArgumentException("vocabulary of " + vocabulary.size()
          + " words is smaller than the candidate set of " + CANDIDATES);
    }
    this.vocabulary = vocabulary;
  }

  /**
   * The distribution at one position.
   *
   * @param candidates vocabulary indices, in draw order
   * @param logprobs   reported log-probabilities of the candidates, same order
   * @param chosen     index into {@code candidates} of the emitted token
   */
  record Step(int[] candidates, double[] logprobs, int chosen) {
  }

  /** The length at which the model stops by itself ({@code finish_reason=stop}): 24..64. */
  static int naturalLength(long promptHash) {
    return MIN_NATURAL_LENGTH
        + (int) Math.floorMod(Hashing.combine(promptHash, LENGTH_SALT),
            (long) (MAX_NATURAL_LENGTH - MIN_NATURAL_LENGTH + 1));
  }

  static long nextPrefix(long prefixHash, int tokenId) {
    return Hashing.combine(prefixHash, tokenId);
  }

  /**
   * One decoding step.
   *
   * @param runRng      per-request randomness; may be null when {@code runNoise == 0} and
   *                    {@code temperature <= 0}
   */
  Step step(long promptHash, int position, long prefixHash, double systematicNoise,
      double runNoise, double temperature, Random runRng) {
    long seed = Hashing.combine(promptHash, position, prefixHash);
    Random weights = new Random(seed);
    int vocab = vocabulary.size();
    int[] pool = new int[vocab];
    for (int i = 0; i < vocab; i++) {
      pool[i] = i;
    }
    int[] candidates = new int[CANDIDATES];
    for (int i = 0; i < CANDIDATES; i++) {
      int j = i + weights.nextInt(vocab - i);
      int swap = pool[i];
      pool[i] = pool[j];
      pool[j] = swap;
      candidates[i] = pool[i];
    }
    double[] logits = new double[CANDIDATES];
    for (int i = 0; i < CANDIDATES; i++) {
      logits[i] = BASE_LOGIT_STD * weights.nextGaussian();
    }
    if (systematicNoise > 0) {
      Random quant = new Random(Hashing.combine(QUANT_SEED, seed));
      for (int i = 0; i < CANDIDATES; i++) {
        logits[i] += systematicNoise * quant.nextGaussian();
      }
    }
    if (runNoise > 0) {
      for (int i = 0; i < CANDIDATES; i++) {
        logits[i] += runNoise * runRng.nextGaussian();
      }
    }
    double[] logprobs = logSoftmax(logits, 1.0);
    int chosen = temperature > 0 ? sample(logSoftmax(logits, temperature), runRng) : argmax(logits);
    for (int i = 0; i < CANDIDATES; i++) {
      logprobs[i] += LOG_KEPT_MASS;
    }
    return new Step(candidates, logprobs, chosen);
  }

  /**
   * Decodes {@code count} tokens. With {@code runNoise == 0} and temperature 0 the result depends
   * only on the prompt hash and {@code systematicNoise}.
   */
  List<Token> generate(long promptHash, int count, double systematicNoise, double runNoise,
      double temperature, Random runRng, boolean reasoning) {
    List<Token> out = new ArrayList<>(count);
    long prefix = 0;
    for (int t = 0; t < count; t++) {
      Step step = step(promptHash, t, prefix, systematicNoise, runNoise, temperature, runRng);
      int word = step.candidates()[step.chosen()];
      out.add(toToken(step, reasoning));
      prefix = nextPrefix(prefix, vocabulary.tokenId(word));
    }
    return out;
  }

  Vocabulary vocabulary() {
    return vocabulary;
  }

  private Token toToken(Step step, boolean reasoning) {
    String text = vocabulary.word(step.candidates()[step.chosen()]);
    if (reasoning) {
      return new Token(text, true, 0, List.of());
    }
    Integer[] order = new Integer[CANDIDATES];
    for (int i = 0; i < CANDIDATES; i++) {
      order[i] = i;
    }
    double[] lp = step.logprobs();
    Arrays.sort(order, (a, b) -> Double.compare(lp[b], lp[a]));
    List<Token.Alternative> alternatives = new ArrayList<>(CANDIDATES);
    for (int i : order) {
      alternatives.add(new Token.Alternative(vocabulary.word(step.candidates()[i]), lp[i]));
    }
    return new Token(text, false, lp[step.chosen()], alternatives);
  }

  static double[] logSoftmax(double[] logits, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l / temperature);
    }
    double sum = 0;
    for (double l : logits) {
      sum += Math.exp(l / temperature - max);
    }
    double logZ = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] / temperature - logZ;
    }
    return out;
  }

  private static int argmax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int sample(double[] logprobs, Random rng) {
    double u = rng.nextDouble();
    double acc = 0;
    for (int i = 0; i < logprobs.length; i++) {
      acc += Math.exp(logprobs[i]);
      if (u < acc) {
        return i;
      }
    }
    return logprobs.length - 1;
  }
}
