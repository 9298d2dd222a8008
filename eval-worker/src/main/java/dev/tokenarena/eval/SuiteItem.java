package dev.tokenarena.eval;

import java.util.Objects;

/**
 * One item of a quality suite.
 *
 * @param suite suite name, e.g. {@code gsm8k-sample}
 * @param itemId stable id {@code <suite>-<4-digit line index>}
 * @param question the prompt text as the dataset has it
 * @param expectedAnswer the expected final answer, already normalized by {@link NumericGrader#normalize}
 */
public record SuiteItem(String suite, String itemId, String question, String expectedAnswer) {

    public SuiteItem {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(expectedAnswer, "expectedAnswer");
    }
}
