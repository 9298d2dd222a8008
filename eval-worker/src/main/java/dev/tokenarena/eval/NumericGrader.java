package dev.tokenarena.eval;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grades a free-text response against a numeric final answer (GSM8K style). Pure functions.
 *
 * <p>Extraction: the text after the last {@code ####} (its first number, else the text), else
 * the last number anywhere in the response. Normalization drops whitespace, thousands commas,
 * {@code $} and a trailing period, and compares numbers by value ({@code 18.00} = {@code 18}),
 * so formatting differences never count as wrong answers.
 */
public final class NumericGrader {

    /** A graded response; {@code extracted} is null when no answer could be found. */
    public record Grade(boolean correct, String extracted) {
    }

    private static final String MARKER = "####";
    // Thousands groups first so "1,234" is one number; a lone comma list "3, 4" stays two numbers.
    private static final Pattern NUMBER = Pattern.compile("(?<![\\d.])-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?");
    private static final Pattern NUMERIC = Pattern.compile("-?\\d+(?:\\.\\d+)?");

    private NumericGrader() {
    }

    /** Grades a response against an expected answer (normalized or not). */
    public static Grade grade(String response, String expected) {
        Optional<String> extracted = extract(response);
        String want = normalize(expected);
        return new Grade(extracted.map(want::equals).orElse(false), extracted.orElse(null));
    }

    /** The normalized final answer of a response, if any. */
    public static Optional<String> extract(String response) {
        if (response == null || response.isBlank()) {
            return Optional.empty();
        }
        int marker = response.lastIndexOf(MARKER);
        if (marker >= 0) {
            String tail = response.substring(marker + MARKER.length());
            Matcher m = NUMBER.matcher(tail);
            if (m.find()) {
                return Optional.of(normalize(m.group()));
            }
            String text = normalize(tail);
            if (!text.isEmpty()) {
                return Optional.of(text);
            }
        }
        Matcher m = NUMBER.matcher(response);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return Optional.ofNullable(last).map(NumericGrader::normalize);
    }

    /** Canonical form of an answer: numbers by value in plain notation, other text lower-cased. */
    public static String normalize(String answer) {
        if (answer == null) {
            return "";
        }
        String s = answer.strip().replace("$", "").replace(",", "").replaceAll("\\s+", "");
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (NUMERIC.matcher(s).matches()) {
            BigDecimal value = new BigDecimal(s).stripTrailingZeros();
            return value.signum() == 0 ? "0" : value.toPlainString();
        }
        String text = answer.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        while (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }
}
