package dev.tokenarena.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A GSM8K-format suite: JSONL with {@code question} and {@code answer}, the answer ending in
 * {@code #### N}. Items keep the 0-based index of their line in the id
 * ({@code gsm8k-sample-0007}), so ids stay stable when a blank line is removed elsewhere only if
 * the user keeps line positions; that is the dataset's own convention, not ours to renumber.
 *
 * <p>Input is bounded (file size, line length, item count) because suites may come from users'
 * paths; every error is one line naming the file and the 1-based line number.
 */
public final class Gsm8kSuite {

    /** The sample shipped in this module (40 self-written items). */
    public static final String SAMPLE_RESOURCE = "suites/gsm8k-sample.jsonl";
    public static final String SAMPLE_NAME = "gsm8k-sample";

    static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    static final int MAX_LINE_CHARS = 64 * 1024;
    static final int MAX_ITEMS = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = "####";

    private final String name;
    private final List<SuiteItem> items;

    private Gsm8kSuite(String name, List<SuiteItem> items) {
        this.name = name;
        this.items = List.copyOf(items);
    }

    /** The shipped sample suite. */
    public static Gsm8kSuite sample() {
        return fromClasspath(SAMPLE_RESOURCE, SAMPLE_NAME);
    }

    /** Loads a suite shipped on the classpath. */
    public static Gsm8kSuite fromClasspath(String resource, String suiteName) {
        InputStream in = Gsm8kSuite.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new SuiteException("classpath:" + resource + ": suite not found");
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(reader, "classpath:" + resource, suiteName);
        } catch (IOException e) {
            throw new SuiteException("classpath:" + resource + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Loads a suite file; the suite name is the file name without {@code .jsonl}. */
    public static Gsm8kSuite load(Path file) {
        String fileName = file.getFileName().toString();
        String suiteName = fileName.toLowerCase(Locale.ROOT).endsWith(".jsonl")
                ? fileName.substring(0, fileName.length() - ".jsonl".length()) : fileName;
        return load(file, suiteName);
    }

    /** Loads a suite file under the given suite name. */
    public static Gsm8kSuite load(Path file, String suiteName) {
        try (BufferedReader reader = openBounded(file)) {
            return parse(reader, file.toString(), suiteName);
        } catch (IOException e) {
            throw new SuiteException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses suite JSONL; {@code source} names it in errors. */
    public static Gsm8kSuite parse(BufferedReader reader, String source, String suiteName) throws IOException {
        List<SuiteItem> items = new ArrayList<>();
        forEachJsonLine(reader, source, (line) -> {
            if (items.size() >= MAX_ITEMS) {
                throw new SuiteException(source + ": line " + line.number() + ": more than " + MAX_ITEMS + " items");
            }
            items.add(item(line.json(), suiteName, line.index(), source + ": line " + line.number()));
        });
        if (items.isEmpty()) {
            throw new SuiteException(source + ": suite has no items");
        }
        return new Gsm8kSuite(suiteName, items);
    }

    /** Opens a user file after checking its size against the bound. */
    static BufferedReader openBounded(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new SuiteException(file + ": file not found");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new SuiteException(file + ": file is " + size + " bytes; the limit is " + MAX_FILE_BYTES + " bytes");
        }
        return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    /** One non-blank JSONL line: 0-based index, 1-based number, parsed object. */
    record JsonLine(int index, int number, JsonNode json) {
    }

    /**
     * Reads JSONL with bounded line length, skipping blank lines, and hands each object on; errors
     * name the source and the 1-based line number. Shared with {@link GradeCommand}.
     */
    static void forEachJsonLine(BufferedReader reader, String source, Consumer<JsonLine> consumer) throws IOException {
        int index = 0;
        StringBuilder line = new StringBuilder();
        while (readBoundedLine(reader, line, source, index + 1)) {
            int number = index + 1;
            String text = line.toString().strip();
            if (!text.isEmpty()) {
                JsonNode node;
                try {
                    node = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new SuiteException(source + ": line " + number + ": not valid JSON: "
                            + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new SuiteException(source + ": line " + number + ": must be a JSON object");
                }
                consumer.accept(new JsonLine(index, number, node));
            }
            index++;
        }
    }

    /**
     * Reads one line into {@code sb} without ever holding more than the bound, so a file with
     * no newlines cannot exhaust memory. Returns false at end of input.
     */
    private static boolean readBoundedLine(BufferedReader reader, StringBuilder sb, String source, int number)
            throws IOException {
        sb.setLength(0);
        int c = reader.read();
        if (c < 0) {
            return false;
        }
        while (c >= 0 && c != '\n') {
            if (sb.length() >= MAX_LINE_CHARS) {
                throw new SuiteException(source + ": line " + number + ": longer than " + MAX_LINE_CHARS + " chars");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            c = reader.read();
        }
        return true;
    }

    /** Builds an item from the dataset fields; shared with the offline grader. */
    static SuiteItem item(JsonNode node, String suiteName, int index, String where) {
        String question = requiredText(node, "question", where);
        String answer = requiredText(node, "answer", where);
        int marker = answer.lastIndexOf(MARKER);
        if (marker < 0) {
            throw new SuiteException(where + ": field 'answer' has no '" + MARKER + " N' final answer");
        }
        String expected = NumericGrader.normalize(answer.substring(marker + MARKER.length()));
        if (expected.isEmpty()) {
            throw new SuiteException(where + ": field 'answer' has nothing after '" + MARKER + "'");
        }
        return new SuiteItem(suiteName, itemId(suiteName, index), question, expected);
    }

    static String itemId(String suiteName, int index) {
        return String.format(Locale.ROOT, "%s-%04d", suiteName, index);
    }

    static String requiredText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || !v.isTextual() || v.asText().isBlank()) {
            throw new SuiteException(where + ": missing required text field '" + field + "'");
        }
        return v.asText();
    }

    public String name() {
        return name;
    }

    public List<SuiteItem> items() {
        return items;
    }

    public int size() {
        return items.size();
    }

    /** The item at {@code position} modulo the suite size, so a cursor can cycle forever. */
    public SuiteItem itemAt(long position) {
        return items.get((int) Math.floorMod(position, (long) items.size()));
    }
}
