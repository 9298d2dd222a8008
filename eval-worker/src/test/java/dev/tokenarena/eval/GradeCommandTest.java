package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GradeCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new GradeCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private static String line(String answer, String response) {
        return "{\"question\":\"Q?\",\"answer\":\"" + answer + "\",\"response\":\"" + response + "\"}\n";
    }

    @Test
    void shouldPrintAccuracyWhenResponsesGraded() throws IOException {
        // 3 of 4 correct: 44 = 44, 1,200 = $1,200.00, 7 = "... 7", 5 != 6 -> 75.00%.
        Path input = Files.writeString(dir.resolve("responses.jsonl"),
                line("#### 44", "#### 44") + line("#### 1,200", "It costs $1,200.00") + "\n"
                        + line("#### 7", "so 7") + line("#### 5", "#### 6"));
        assertEquals(0, run("--suite", "gsm8k", "--input", input.toString()));
        String text = out.toString();
        assertTrue(text.contains("gsm8k-0000\tcorrect\texpected=44\textracted=44"), text);
        // The blank line keeps its index: the fourth item is on line 5, id gsm8k-0004.
        assertTrue(text.contains("gsm8k-0004\twrong\texpected=5\textracted=6"), text);
        assertTrue(text.endsWith("accuracy: 3/4 = 75.00%" + System.lineSeparator()), text);
    }

    @Test
    void shouldNameLineWhenInputLineIsBad() throws IOException {
        Path input = Files.writeString(dir.resolve("bad.jsonl"),
                line("#### 1", "1") + line("#### 2", "2") + "{\"question\":\"Q?\",\"answer\":\"#### 3\"}\n");
        assertEquals(2, run("--suite", "gsm8k", "--input", input.toString()));
        assertEquals("grade: " + input + ": line 3: missing required text field 'response'", err.toString().strip());
    }

    @Test
    void shouldRejectSuiteWhenUnknown() throws IOException {
        Path input = Files.writeString(dir.resolve("x.jsonl"), line("#### 1", "1"));
        assertEquals(2, run("--suite", "mmlu", "--input", input.toString()));
        assertTrue(err.toString().contains("unknown suite 'mmlu'"));
    }
}
