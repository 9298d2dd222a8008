package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gsm8kSuiteTest {

    @TempDir
    Path dir;

    @Test
    void shouldLoadSampleWhenReadFromClasspath() {
        Gsm8kSuite suite = Gsm8kSuite.sample();
        assertEquals("gsm8k-sample", suite.name());
        assertEquals(40, suite.size());
        // First sample line ends "#### 44"; ids carry the 0-based line index.
        assertEquals("gsm8k-sample-0000", suite.items().get(0).itemId());
        assertEquals("44", suite.items().get(0).expectedAnswer());
        assertEquals("gsm8k-sample-0039", suite.items().get(39).itemId());
        // Cycling: position 41 is item 1.
        assertEquals("gsm8k-sample-0001", suite.itemAt(41).itemId());
    }

    @Test
    void shouldKeepLineIndexInIdWhenBlankLinesPresent() throws IOException {
        Path file = write("mini.jsonl", item("A?", "#### 1") + "\n\n" + item("B?", "x\n#### 2,000") + "\n");
        Gsm8kSuite suite = Gsm8kSuite.load(file);
        assertEquals("mini", suite.name());
        assertEquals(2, suite.size());
        assertEquals("mini-0002", suite.items().get(1).itemId());
        assertEquals("2000", suite.items().get(1).expectedAnswer());
    }

    @Test
    void shouldNameFileAndLineWhenFieldMissing() throws IOException {
        Path file = write("bad.jsonl", item("A?", "#### 1") + "\n{\"question\": \"B?\"}\n");
        SuiteException e = assertThrows(SuiteException.class, () -> Gsm8kSuite.load(file));
        assertEquals(file + ": line 2: missing required text field 'answer'", e.getMessage());
    }

    @Test
    void shouldNameLineWhenJsonInvalidOrMarkerMissing() throws IOException {
        Path broken = write("broken.jsonl", item("A?", "#### 1") + "\n" + item("B?", "#### 2") + "\n{oops\n");
        assertTrue(assertThrows(SuiteException.class, () -> Gsm8kSuite.load(broken)).getMessage()
                .startsWith(broken + ": line 3: not valid JSON"));
        Path noMarker = write("nomarker.jsonl", item("A?", "the answer is 4"));
        assertEquals(noMarker + ": line 1: field 'answer' has no '#### N' final answer",
                assertThrows(SuiteException.class, () -> Gsm8kSuite.load(noMarker)).getMessage());
    }

    @Test
    void shouldRejectLineWhenLongerThanLimit() throws IOException {
        String huge = item("x".repeat(Gsm8kSuite.MAX_LINE_CHARS), "#### 1");
        Path file = write("long.jsonl", item("A?", "#### 1") + "\n" + huge + "\n");
        assertEquals(file + ": line 2: longer than 65536 chars",
                assertThrows(SuiteException.class, () -> Gsm8kSuite.load(file)).getMessage());
    }

    @Test
    void shouldFailWhenFileMissingOrEmpty() throws IOException {
        Path missing = dir.resolve("missing.jsonl");
        assertEquals(missing + ": file not found",
                assertThrows(SuiteException.class, () -> Gsm8kSuite.load(missing)).getMessage());
        Path empty = write("empty.jsonl", "\n\n");
        assertEquals(empty + ": suite has no items",
                assertThrows(SuiteException.class, () -> Gsm8kSuite.load(empty)).getMessage());
    }

    @Test
    void shouldLoad1024DistinctPromptsWhenDefaultSetRequested() {
        FingerprintPromptSet set = FingerprintPromptSet.load(FingerprintPromptSet.DEFAULT);
        assertEquals(1024, set.size());
        assertEquals("fp-v1-0000", set.prompts().get(0).promptId());
        assertEquals("fp-v1-1023", set.prompts().get(1023).promptId());
        assertEquals(1024, set.prompts().stream().map(FingerprintPromptSet.Prompt::text).distinct().count());
        assertThrows(SuiteException.class, () -> FingerprintPromptSet.load("fp-v9"));
    }

    static String item(String question, String answer) {
        return "{\"question\": " + json(question) + ", \"answer\": " + json(answer) + "}";
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
