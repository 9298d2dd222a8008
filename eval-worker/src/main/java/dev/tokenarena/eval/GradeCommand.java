package dev.tokenarena.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arena eval grade --suite gsm8k --input responses.jsonl}: re-grades stored responses
 * offline, so a grader fix can be re-applied to history. Input is JSONL with the suite's item
 * fields ({@code question}, {@code answer}) plus {@code response}, optionally {@code item_id}.
 * Prints one tab-separated line per item and the accuracy; a bad line stops with exit code 2
 * and an error naming the line.
 */
@Command(name = "grade", mixinStandardHelpOptions = true,
        description = "Re-grade stored responses offline and print per-item correctness and the accuracy.")
public final class GradeCommand implements Callable<Integer> {

    @Option(names = "--suite", required = true, paramLabel = "SUITE", description = "Suite format: gsm8k.")
    String suite;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "JSONL: question, answer, response[, item_id] per line.")
    Path input;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!suite.equals("gsm8k") && !suite.startsWith("gsm8k-")) {
            err.println("grade: unknown suite '" + suite + "'; valid: gsm8k (or a gsm8k-* suite name)");
            return 2;
        }
        AtomicInteger total = new AtomicInteger();
        AtomicInteger correct = new AtomicInteger();
        try (BufferedReader reader = Gsm8kSuite.openBounded(input)) {
            Gsm8kSuite.forEachJsonLine(reader, input.toString(), line -> {
                String where = input + ": line " + line.number();
                SuiteItem item = Gsm8kSuite.item(line.json(), suite, line.index(), where);
                JsonNode response = line.json().get("response");
                if (response == null || !response.isTextual()) {
                    throw new SuiteException(where + ": missing required text field 'response'");
                }
                JsonNode id = line.json().get("item_id");
                String itemId = id != null && id.isTextual() ? id.asText() : item.itemId();
                NumericGrader.Grade grade = NumericGrader.grade(response.asText(), item.expectedAnswer());
                total.incrementAndGet();
                if (grade.correct()) {
                    correct.incrementAndGet();
                }
                out.println(itemId + "\t" + (grade.correct() ? "correct" : "wrong") + "\texpected="
                        + item.expectedAnswer() + "\textracted=" + (grade.extracted() == null ? "-" : grade.extracted()));
            });
        } catch (SuiteException e) {
            out.flush();
            err.println("grade: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("grade: " + input + ": cannot read: " + e.getMessage());
            return 2;
        }
        if (total.get() == 0) {
            err.println("grade: " + input + ": no items");
            return 2;
        }
        out.println(String.format(Locale.ROOT, "accuracy: %d/%d = %.2f%%", correct.get(), total.get(),
                100.0 * correct.get() / total.get()));
        out.flush();
        return 0;
    }
}
