package dev.tokenarena.simulator;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Needle-in-a-haystack prompts: {@code "The secret code is X"} somewhere in the prompt and the
 * words {@code "secret code"} again after it (the question). The endpoint retrieves {@code X} iff
 * the prompt fits its effective context; otherwise it answers a code of the same shape with
 * every character shifted, which never contains the true code.
 */
final class Needle {

  private static final Pattern NEEDLE = Pattern.compile("The secret code is ([A-Za-z0-9][A-Za-z0-9_-]*)");

  private Needle() {
  }

  /** The hidden code when the prompt is a needle prompt. */
  static Optional<String> find(String prompt) {
    Matcher m = NEEDLE.matcher(prompt);
    if (!m.find()) {
      return Optional.empty();
    }
    String code = m.group(1);
    boolean asked = prompt.substring(m.end()).toLowerCase(Locale.ROOT).contains("secret code");
    return asked ? Optional.of(code) : Optional.empty();
  }

  static String answerText(String code) {
    return " The secret code is " + code + ".";
  }

  /** A plausible but wrong code: same length and character classes, every character different. */
  static String wrongCode(String code) {
    int shift = 1 + (int) Math.floorMod(Hashing.of(code), 9L);
    StringBuilder out = new StringBuilder(code.length());
    for (char c : code.toCharArray()) {
      if (c >= '0' && c <= '9') {
        out.append((char) ('0' + (c - '0' + shift) % 10));
      } else if (c >= 'a' && c <= 'z') {
        out.append((char) ('a' + (c - 'a' + shift) % 26));
      } else if (c >= 'A' && c <= 'Z') {
        out.append((char) ('A' + (c - 'A' + shift) % 26));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
