package dev.tokenarena.simulator;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Decides what an endpoint says to a prompt, in three cases tried in order: a GSM8K question
 * (scripted answer, right or wrong by the endpoint's correct set), a needle prompt (the code iff
 * the prompt fits the effective context), anything else (the greedy model's words).
 *
 * <p>Reasoning tokens come first and count against {@code max_tokens}, as OpenAI's
 * {@code max_completion_tokens} does. Scripted text is cut into its own o200k tokens, so its
 * numbers and the {@code ####} line may be several tokens each, and usage still equals a client's
 * local o200k count of the text.
 */
final class Responder {

  private static final long REASONING_SALT = Hashing.of("reasoning");
  private static final double SCRIPTED_LOGPROB = Math.log(1 - TokenModel.TAIL_MASS);

  enum Kind { GSM8K, NEEDLE, FREE }

  /**
   * @param finishReason {@code stop} or {@code length}
   */
  record Answer(Kind kind, int promptTokens, List<Token> tokens, String finishReason) {
    Answer {
      tokens = List.copyOf(tokens);
    }

    int reasoningTokens() {
      return (int) tokens.stream().filter(Token::reasoning).count();
    }

    String text(boolean reasoning) {
      StringBuilder sb = new StringBuilder();
      tokens.stream().filter(t -> t.reasoning() == reasoning).forEach(t -> sb.append(t.text()));
      return sb.toString();
    }
  }

  private final TokenModel model;
  private final Gsm8kBank bank;
  private final Encoding encoding;

  Responder(TokenModel model, Gsm8kBank bank, Encoding encoding) {
    this.model = model;
    this.bank = bank;
    this.encoding = encoding;
  }

  /**
   * @param maxTokens  cap on reasoning + visible tokens, >= 1
   * @param reasoning  false for routes that carry no reasoning (legacy completions)
   */
  Answer answer(SkuSpec spec, String prompt, int maxTokens, double temperature, Random runRng,
      boolean reasoning) {
    int promptTokens = encoding.countTokensOrdinary(prompt);
    long promptHash = Hashing.of(prompt);
    List<Token> tokens = new ArrayList<>();
    int budget = maxTokens;
    if (reasoning && spec.reasoningTokens() > 0) {
      int n = Math.min(spec.reasoningTokens(), budget);
      tokens.addAll(model.generate(Hashing.combine(promptHash, REASONING_SALT), n,
          spec.systematicNoise(), spec.runNoise(), temperature, runRng, true));
      budget -= n;
    }
    Kind kind;
    List<Token> content;
    int wanted;
    Optional<Gsm8kBank.Item> item = bank.find(prompt);
    Optional<String> needle = Needle.find(prompt);
    if (item.isPresent()) {
      kind = Kind.GSM8K;
      content = scripted(Gsm8kBank.answerText(
          bank.finalAnswer(spec.endpointId(), spec.accuracy(), item.get())));
      wanted = content.size();
    } else if (needle.isPresent()) {
      kind = Kind.NEEDLE;
      String code = promptTokens <= spec.effectiveContextTokens()
          ? needle.get() : Needle.wrongCode(needle.get());
      content = scripted(Needle.answerText(code));
      wanted = content.size();
    } else {
      kind = Kind.FREE;
      wanted = TokenModel.naturalLength(promptHash);
      // Only decode what will be sent: the budget may be far below the natural length.
      content = model.generate(promptHash, Math.min(wanted, budget), spec.systematicNoise(),
          spec.runNoise(), temperature, runRng, false);
    }
    // A budget used up by reasoning leaves 0 for content, which also ends in "length".
    String finish = wanted > budget ? "length" : "stop";
    if (content.size() > budget) {
      content = content.subList(0, budget);
    }
    tokens.addAll(content);
    return new Answer(kind, promptTokens, tokens, finish);
  }

  /** Cuts text into its o200k tokens, each reported as near-certain. */
  List<Token> scripted(String text) {
    IntArrayList ids = encoding.encodeOrdinary(text);
    List<Token> out = new ArrayList<>(ids.size());
    IntArrayList one = new IntArrayList(1);
    for (int i = 0; i < ids.size(); i++) {
      one.clear();
      one.add(ids.get(i));
      String piece = encoding.decode(one);
      out.add(new Token(piece, false, SCRIPTED_LOGPROB,
          List.of(new Token.Alternative(piece, SCRIPTED_LOGPROB))));
    }
    return out;
  }

  Encoding encoding() {
    return encoding;
  }
}
