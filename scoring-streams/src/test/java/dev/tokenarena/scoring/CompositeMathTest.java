package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenarena.scoring.avro.EnergyInfo;
import dev.tokenarena.scoring.avro.PriceInfo;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompositeMathTest {

    private final ScoringParams params = ScoringParams.defaults();

    @Test
    void shouldBlendPricesByPresetRatioWhenChatPreset() {
        // chat 3:1: (3 x 0.60 + 1 x 0.80) / 4 = 2.60 / 4 = 0.65 USD/Mtok
        assertEquals(0.65, CompositeMath.blendedUsdPerMtok(params.preset("chat"), new PriceInfo(0.60, 0.80, 0.5)),
                1e-12);
        // rag 20:1: (20 x 0.60 + 0.80) / 21 = 12.80 / 21 = 0.609524
        assertEquals(12.80 / 21, CompositeMath.blendedUsdPerMtok(params.preset("rag"), new PriceInfo(0.60, 0.80, 0.5)),
                1e-12);
    }

    @Test
    void shouldApplyBatchDiscountWhenBatchPreset() {
        // batch 3:1 with 50% discount: 0.65 x (1 - 0.5) = 0.325
        assertEquals(0.325, CompositeMath.blendedUsdPerMtok(params.preset("batch"), new PriceInfo(0.60, 0.80, 0.5)),
                1e-12);
    }

    @Test
    void shouldModelEnergyPerTokenWhenProfileIsDisclosed() {
        // 700 W x 4 x 0.6 x 1.2 x (1 - 0) / (50 tok/s x 32) = 2016 / 1600 = 1.26 J/token
        // disclosed u: low/high u = 0.5 / 0.7 -> 1.26 x 0.5/0.6 = 1.05 and 1.26 x 0.7/0.6 = 1.47
        var j = CompositeMath.energyPerToken(new EnergyInfo(700.0, 4, 0.6, 1.2, 0.0, 32, false, false), 50.0,
                params.energy());
        assertEquals(1.26, j.central(), 1e-12);
        assertEquals(1.05, j.low(), 1e-12);
        assertEquals(1.47, j.high(), 1e-12);
        // kWh per Mtok = 1.26 x 1e6 / 3.6e6 = 0.35
        assertEquals(0.35, CompositeMath.kwhPerMtok(j.central()), 1e-12);
    }

    @Test
    void shouldWidenEnergyRangeWhenUtilizationAndPueAreAssumed() {
        // base = 700 x 4 / 1600 = 1.75 W.s/token per unit u.PUE; low = 1.75 x 0.4 x 1.1 = 0.77,
        // high = 1.75 x 1.0 x 1.6 = 2.8; central stays 1.75 x 0.6 x 1.2 = 1.26
        var j = CompositeMath.energyPerToken(new EnergyInfo(700.0, 4, 0.6, 1.2, 0.0, 32, true, true), 50.0,
                params.energy());
        assertEquals(1.26, j.central(), 1e-12);
        assertEquals(0.77, j.low(), 1e-12);
        assertEquals(2.8, j.high(), 1e-12);
        assertNull(CompositeMath.energyPerToken(new EnergyInfo(700.0, 4, 0.6, 1.2, 0.0, 32, true, true), null,
                params.energy()));
    }

    @Test
    void shouldComputeCostPerCorrectWhenAccuracyKnown() {
        // (0.65 / 1e6) x 250 tokens / 0.75 = 2.1667e-4 USD
        assertEquals(0.65e-6 * 250 / 0.75, CompositeMath.usdPerCorrect(0.65, 250.0, 0.75), 1e-15);
        assertNull(CompositeMath.usdPerCorrect(0.65, 250.0, 0.0));
    }

    @Test
    void shouldGiveWilsonIntervalWhenThreeOfFourCorrect() {
        // n = 4, p = 0.75, z^2 = 3.841459; denom = 1 + z^2/4 = 1.960365
        // center = (0.75 + z^2/8) / denom = 1.230182 / 1.960365 = 0.627527
        // half = z sqrt(0.046875 + z^2/64) / denom = 1.959964 x 0.326952 / 1.960365 = 0.326886
        // -> [0.300642, 0.954413]
        double[] ci = CompositeMath.wilson(3, 4);
        assertEquals(0.300642, ci[0], 1e-5);
        assertEquals(0.954413, ci[1], 1e-5);
    }

    @Test
    void shouldNormalizeWithinCohortWhenValuesDifferOrAreMissing() {
        // higher is better over {50, 25, missing}: (50-25)/25 = 1, 0, missing 0
        assertArrayEquals(new double[] {1.0, 0.0, 0.0},
                CompositeMath.normalize(Arrays.asList(50.0, 25.0, null), true), 1e-12);
        // lower is better over {100, 200, 150}: (200-100)/100 = 1, 0, (200-150)/100 = 0.5
        assertArrayEquals(new double[] {1.0, 0.0, 0.5},
                CompositeMath.normalize(Arrays.asList(100.0, 200.0, 150.0), false), 1e-12);
        // all equal -> 1
        assertArrayEquals(new double[] {1.0, 1.0}, CompositeMath.normalize(Arrays.asList(0.9, 0.9), true), 1e-12);
    }
}
