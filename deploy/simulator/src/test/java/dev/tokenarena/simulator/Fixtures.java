package dev.tokenarena.simulator;

import com.knuddels.jtokkit.api.Encoding;

/** Tokenizer, vocabulary and model built once per test JVM: building o200k takes a while. */
final class Fixtures {

  static final Encoding O200K = Vocabulary.o200k();
  static final Vocabulary VOCABULARY = Vocabulary.build(O200K);
  static final TokenModel MODEL = new TokenModel(VOCABULARY);
  static final Gsm8kBank BANK = Gsm8kBank.loadDefault();
  static final Responder RESPONDER = new Responder(MODEL, BANK, O200K);

  private Fixtures() {
  }

  /** A spec with no noise at all, no jitter, and fast timing. */
  static SkuSpec.Builder quiet(String id, WireStyle style) {
    return SkuSpec.builder(id, style).runNoise(0).systematicNoise(0).jitterFraction(0)
        .ttftMs(10).tokensPerSecond(2000);
  }
}
