package dev.tokenarena.simulator;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * The words the greedy model emits, each with a leading space and each exactly one token of
 * o200k_base. Because the o200k pre-tokenizer splits {@code " the river"} at the space, a text
 * made of these words encodes to exactly one token per word, so a client that counts the
 * concatenated text locally gets the server's {@code usage.completion_tokens}.
 */
final class Vocabulary {

  static final int MIN_WORDS = 100;

  /** Candidate words; the ones that are not a single o200k token are dropped at startup. */
  private static final String CANDIDATES = String.join(" ",
      "the of and to in is was for on that with as by at from it be this are or an which",
      "river mountain valley forest ocean island desert garden city village market bridge road",
      "house window door table chair paper letter story book music song voice light shadow",
      "water fire stone wood iron gold silver glass cloud rain snow wind storm summer winter",
      "spring autumn morning evening night day week year time place world country people child",
      "family friend teacher doctor farmer worker student king queen army ship train car plane",
      "horse bird fish tree flower grass field farm school church hospital office company team",
      "game ball line point number system problem question answer reason result change power",
      "money price value market energy heat sound color word name idea plan rule law order",
      "group state report record paper model level area form part side end start close open",
      "small large long short high low early late young old new good great right left best",
      "first last next other same different important simple clear strong quiet bright dark warm",
      "cold fast slow easy hard full empty rich poor free true real whole",
      "run walk read write speak listen build carry hold bring keep find make take give show",
      "move turn follow begin finish help learn teach watch wait stay leave return",
      "often always never sometimes again still only also just very well much many more most",
      "into over under between through after before during without around across along");

  private final List<String> words;
  private final int[] tokenIds;

  private Vocabulary(List<String> words, int[] tokenIds) {
    this.words = List.copyOf(words);
    this.tokenIds = tokenIds;
  }

  /** Filters the candidates through the tokenizer; fails fast when too few survive. */
  static Vocabulary build(Encoding encoding) {
    return build(encoding, CANDIDATES);
  }

  /** As {@link #build(Encoding)} over other space-separated candidates (tests). */
  static Vocabulary build(Encoding encoding, String candidates) {
    List<String> kept = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (String raw : candidates.split(" ")) {
      String word = " " + raw;
      IntArrayList tokens = encoding.encodeOrdinary(word);
      if (tokens.size() == 1 && !kept.contains(word)) {
        kept.add(word);
        ids.add(tokens.get(0));
      }
    }
    if (kept.size() < MIN_WORDS) {
      throw new IllegalStateException("only " + kept.size() + " vocabulary words are single "
          + encoding.getName() + " tokens; the simulator needs at least " + MIN_WORDS);
    }
    return new Vocabulary(kept, ids.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * The o200k_base encoding, built once per JVM: it is immutable and thread-safe, and building it
   * takes seconds. The lazy registry gives the same encoding as the default one without also
   * loading cl100k, p50k and r50k.
   */
  static Encoding o200k() {
    return O200kHolder.INSTANCE;
  }

  private static final class O200kHolder {
    static final Encoding INSTANCE =
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  }

  int size() {
    return words.size();
  }

  String word(int index) {
    return words.get(index);
  }

  int tokenId(int index) {
    return tokenIds[index];
  }

  List<String> words() {
    return words;
  }
}
