package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NumericGraderTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // response                                         | extracted
            "Step one gives 52. Then 52 - 8 = 44.\\n#### 44       | 44",
            "#### 1,234                                          | 1234",
            "So the total is $18.00.                             | 18",
            "He has 7 apples, then 12, and finally 15.           | 15",
            "#### 44 rolls                                       | 44",
            "First 3, then 4. #### 2.50                          | 2.5",
            "The answer is -12.                                  | -12",
            "Costs were 1,200 and then 1,500.50 dollars          | 1500.5",
            "#### Forty.                                         | forty",
            "12 + 3 = 15\\n#### 15\\nActually #### 16              | 16",
            "Total: 10.0                                         | 10",
            "It is 0.0                                           | 0",
    })
    void shouldExtractFinalAnswerWhenResponseHasMarkerOrNumbers(String response, String extracted) {
        assertEquals(extracted, NumericGrader.extract(response.replace("\\n", "\n")).orElseThrow());
    }

    @ParameterizedTest(name = "[{index}] {0} == {1}")
    @CsvSource(delimiter = '|', value = {
            // raw                | normalized
            " 44 \\n               | 44",
            "1,234                | 1234",
            "$18                  | 18",
            "18.00                | 18",
            "18.                  | 18",
            "100                  | 100",
            "-0.0                 | 0",
            "0.50                 | 0.5",
            "$ 1 200              | 1200",
    })
    void shouldNormalizeNumbersWhenFormattingDiffers(String raw, String normalized) {
        assertEquals(normalized, NumericGrader.normalize(raw.replace("\\n", "\n")));
    }

    @Test
    void shouldGradeCorrectWhenValuesMatchDespiteFormatting() {
        // Expected "1200" (from "#### 1,200"); the response says "$1,200.00" -> 1200.
        NumericGrader.Grade g = NumericGrader.grade("The bill is $1,200.00", "1,200");
        assertTrue(g.correct());
        assertEquals("1200", g.extracted());
    }

    @Test
    void shouldGradeWrongWhenLastNumberDiffers() {
        // No marker: the last number is 45, expected 44.
        NumericGrader.Grade g = NumericGrader.grade("I think 44, no wait, 45", "44");
        assertFalse(g.correct());
        assertEquals("45", g.extracted());
    }

    @Test
    void shouldExtractNothingWhenResponseHasNoNumber() {
        NumericGrader.Grade g = NumericGrader.grade("I cannot solve this.", "44");
        assertFalse(g.correct());
        assertNull(g.extracted());
        assertTrue(NumericGrader.extract("").isEmpty());
        assertTrue(NumericGrader.extract(null).isEmpty());
    }
}
