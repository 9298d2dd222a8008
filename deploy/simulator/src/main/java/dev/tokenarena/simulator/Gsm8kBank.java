package dev.tokenarena.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The GSM8K items the simulator recognises, and which of them each endpoint gets right.
 *
 * <p>Endpoint {@code e} with accuracy {@code a} answers correctly exactly the first
 * {@code round(a * N)} items when the N items are sorted by {@code H(e, index)}: a full pass gives
 * accuracy {@code round(a * N) / N} with no sampling error, and lowering {@code a} removes items
 * from the same ordering, so a degraded endpoint's correct set is a subset of its old one.
 */
final class Gsm8kBank {

  static final String RESOURCE = "suites/gsm8k-sample.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One item; {@code answer} is the text after {@code ####}, commas removed. */
  record Item(int index, String question, String answer) {
  }

  private final List<Item> items;

  private Gsm8kBank(List<Item> items) {
    this.items = List.copyOf(items);
  }

  static Gsm8kBank loadDefault() {
    InputStream in = Gsm8kBank.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("classpath resource " + RESOURCE
          + " not found: the simulator needs arena-eval-worker on its classpath");
    }
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return parse(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  static Gsm8kBank parse(Reader reader) throws IOException {
    List<Item> items = new ArrayList<>();
    BufferedReader lines = new BufferedReader(reader);
    String line;
    int lineNo = 0;
    while ((line = lines.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(line);
      String question = node.path("question").asText("");
      String answer = node.path("answer").asText("");
      int mark = answer.lastIndexOf("####");
      if (question.isBlank() || mark < 0) {
        throw new IllegalArgumentException(
            RESOURCE + " line " + lineNo + ": needs 'question' and an 'answer' ending in '#### N'");
      }
      items.add(new Item(items.size(), question.strip(),
          answer.substring(mark + 4).strip().replace(",", "")));
    }
    return new Gsm8kBank(items);
  }

  List<Item> items() {
    return items;
  }

  /** The item whose question occurs last in the prompt (few-shot examples come first). */
  Optional<Item> find(String prompt) {
    Item best = null;
    int bestAt = -1;
    for (Item item : items) {
      int at = prompt.lastIndexOf(item.question());
      if (at > bestAt) {
        bestAt = at;
        best = item;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Indices answered correctly by {@code endpointId} at {@code accuracy}. */
  BitSet correctSet(String endpointId, double accuracy) {
    int take = (int) Math.round(accuracy * items.size());
    BitSet correct = new BitSet(items.size());
    IntStream.range(0, items.size())
        .boxed()
        .sorted(Comparator.comparingLong((Integer i) -> orderKey(endpointId, i))
            .thenComparing(i -> i))
        .limit(take)
        .forEach(correct::set);
    return correct;
  }

  /** The final number the endpoint gives: the truth, or {@code truth + 1 + (H(e, index) mod 7)}. */
  String finalAnswer(String endpointId, double accuracy, Item item) {
    if (correctSet(endpointId, accuracy).get(item.index())) {
      return item.answer();
    }
    int offset = 1 + (int) Math.floorMod(orderKey(endpointId, item.index()), 7L);
    try {
      return new BigDecimal(item.answer()).add(BigDecimal.valueOf(offset)).toPlainString();
    } catch (NumberFormatException notANumber) {
      return item.answer() + offset;
    }
  }

  /** Two short sentences and the {@code #### N} line graders look for. */
  static String answerText(String finalAnswer) {
    return " Working through the numbers step by step gives the total. The answer is "
        + finalAnswer + ".\n#### " + finalAnswer;
  }

  private static long orderKey(String endpointId, int index) {
    return Hashing.combine(Hashing.of(endpointId), index);
  }
}
