package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenarena.scoring.avro.ConcurrencyStats;
import dev.tokenarena.scoring.avro.EnergyInfo;
import dev.tokenarena.scoring.avro.PriceInfo;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeMathTest {

    private final ScoringParams params = ScoringParams.defaults();

    @Test
    void shouldBlendPricesByPresetRatioWhenChatPreset() {
        // chat 3:1: (3 x 0.60 + 1 x 0.80) / 4 = 2.60 / 4 = 0.65 USD/Mtok
        assertEquals(0.65, CompositeMath.blendedUsdPerMtok(params.preset("chat"), new PriceInfo(0.60, 0.80, 0.5, null)),
                1e-12);
        // rag 20:1: (20 x 0.60 + 0.80) / 21 = 12.80 / 21 = 0.609524
        assertEquals(12.80 / 21, CompositeMath.blendedUsdPerMtok(params.preset("rag"), new PriceInfo(0.60, 0.80, 0.5, null)),
                1e-12);
    }

    @Test
    void shouldApplyBatchDiscountWhenBatchPreset() {
        // batch 3:1 with 50% discount: 0.65 x (1 - 0.5) = 0.325
        assertEquals(0.325, CompositeMath.blendedUsdPerMtok(params.preset("batch"), new PriceInfo(0.60, 0.80, 0.5, null)),
                1e-12);
    }

    /** The shipped presets with chat's input half served from the prompt cache. */
    static ScoringParams cachedChatParams() {
        return ScoringParams.parse(ScoringParamsTest.defaultYaml().replace("  chat:\n    ratio: {input: 3, output: 1}\n",
                "  chat:\n    ratio: {input: 3, output: 1}\n    cached_input_share: 0.5\n"), "cached.yaml");
    }

    @Test
    void shouldPriceCachedShareOfInputAtCachedPriceWhenPresetHasCachedInputShare() {
        ScoringParams cached = cachedChatParams();
        assertEquals(0.5, cached.preset("chat").cachedInputShare());
        // input = 0.5 x 0.60 + 0.5 x 0.20 = 0.40; chat 3:1: (3 x 0.40 + 0.80) / 4 = 2.00 / 4 = 0.50
        assertEquals(0.50, CompositeMath.blendedUsdPerMtok(cached.preset("chat"), new PriceInfo(0.60, 0.80, 0.5, 0.20)),
                1e-12);
        // no cached price quoted: cached tokens cost the input price, no discount assumed -> 0.65
        assertEquals(0.65, CompositeMath.blendedUsdPerMtok(cached.preset("chat"), new PriceInfo(0.60, 0.80, 0.5, null)),
                1e-12);
        // share 0 (rag): a quoted cached price changes nothing: (20 x 0.60 + 0.80) / 21
        assertEquals(12.80 / 21, CompositeMath.blendedUsdPerMtok(cached.preset("rag"), new PriceInfo(0.60, 0.80, 0.5, 0.20)),
                1e-12);
    }

    @Test
    void shouldDiscountCachedInputTooWhenBatchPresetHasCachedInputShare() {
        ScoringParams p = ScoringParams.parse(ScoringParamsTest.defaultYaml().replace("    batch_price: true",
                "    batch_price: true\n    cached_input_share: 0.5"), "batch-cached.yaml");
        // input = 0.5 x 0.60 + 0.5 x 0.20 = 0.40; (3 x 0.40 + 0.80) / 4 = 0.50; x (1 - 0.5) = 0.25
        assertEquals(0.25, CompositeMath.blendedUsdPerMtok(p.preset("batch"), new PriceInfo(0.60, 0.80, 0.5, 0.20)),
                1e-12);
    }

    static ConcurrencyStats level(int c, long ok, long tokens, double e2eMsSum, Double ttftP90, Double tpsP50) {
        return new ConcurrencyStats(c, ok, tokens, e2eMsSum, ttftP90, tpsP50);
    }

    @Test
    void shouldComputeAggregateThroughputByLittlesLawWhenLevelWasMeasured() {
        // c = 10, 20 probes of 200 tokens taking 4 s each: 10 x 4000 tok / 80 s = 500 tok/s
        assertEquals(500.0, CompositeMath.aggregateOutputTps(level(10, 20, 4000, 80_000, 800.0, 55.0)), 1e-9);
        assertNull(CompositeMath.aggregateOutputTps(level(10, 0, 0, 0, null, null)));
        // 8 GPUs x 2.50 USD/h = 20 USD/h; 500 tok/s x 3600 = 1.8M tok/h -> 20 / 1.8 = 11.111 USD/Mtok
        assertEquals(20.0 / 1.8, CompositeMath.selfHostedUsdPerMtok(2.50, 8, 500.0), 1e-9);
    }

    /**
     * c1: 1 x 2000 / 20 s = 100 tok/s (TTFT p90 200 ms, 100 tok/s per stream); c10: 500 tok/s
     * (800 ms, 55 tok/s); c100: 100 x 20000 / 1000 s = 2000 tok/s but TTFT p90 5000 ms.
     */
    static final List<ConcurrencyStats> LEVELS = List.of(level(1, 10, 2000, 20_000, 200.0, 100.0),
            level(10, 20, 4000, 80_000, 800.0, 55.0), level(100, 100, 20_000, 1_000_000, 5000.0, 21.0));

    @Test
    void shouldPriceAtHighestThroughputMeetingSloWhenSelfHosted() {
        // SLO TTFT p90 <= 2000 ms, speed >= 20: c1 and c10 meet it, c100 misses TTFT -> c10, 11.111 USD/Mtok
        CompositeMath.SelfHostedCost cost = CompositeMath.selfHostedCost(2.50, 8, LEVELS, params.selfHostedSlo());
        assertEquals(10, cost.concurrency());
        assertEquals(500.0, cost.aggregateOutputTps(), 1e-9);
        assertEquals(20.0 / 1.8, cost.usdPerMtok(), 1e-9);
        assertEquals(Boolean.TRUE, cost.sloMet());
        // no SLO (batch): c100, 20 USD/h / (2000 x 3600 tok/h) = 2.7778 USD/Mtok
        CompositeMath.SelfHostedCost batch = CompositeMath.selfHostedCost(2.50, 8, LEVELS, null);
        assertEquals(100, batch.concurrency());
        assertEquals(20.0 / 7.2, batch.usdPerMtok(), 1e-9);
        assertNull(batch.sloMet());
    }

    @Test
    void shouldFallBackToLowestConcurrencyWhenNoLevelMeetsSlo() {
        // TTFT p90 <= 100 ms: nobody meets it -> c1, 20 / (100 x 3600) x 1e6 = 55.556 USD/Mtok, not met
        CompositeMath.SelfHostedCost cost = CompositeMath.selfHostedCost(2.50, 8, LEVELS,
                new ScoringParams.SelfHostedSlo(100.0, 20.0));
        assertEquals(1, cost.concurrency());
        assertEquals(20.0 / 0.36, cost.usdPerMtok(), 1e-9);
        assertEquals(Boolean.FALSE, cost.sloMet());
        // a level without a TTFT figure does not meet an SLO: c10 without p90 -> only c1 meets it
        List<ConcurrencyStats> noTtft = List.of(LEVELS.get(0), level(10, 20, 4000, 80_000, null, 55.0));
        assertEquals(1, CompositeMath.selfHostedCost(2.50, 8, noTtft, params.selfHostedSlo()).concurrency());
        // not self-hosted, or nothing measured: no cost
        assertNull(CompositeMath.selfHostedCost(null, null, LEVELS, params.selfHostedSlo()));
        assertNull(CompositeMath.selfHostedCost(2.50, 8, List.of(), params.selfHostedSlo()));
    }

    @Test
    void shouldBlendSelfHostedPriceAsOutputOnlyWhenNoTokenPrice() {
        // chat 3:1: 11.111 x 1 / 4 = 2.7778; rag 20:1: 11.111 / 21 = 0.52910
        assertEquals(20.0 / 1.8 / 4, CompositeMath.blendedSelfHostedUsdPerMtok(params.preset("chat"), 20.0 / 1.8), 1e-9);
        assertEquals(20.0 / 1.8 / 21, CompositeMath.blendedSelfHostedUsdPerMtok(params.preset("rag"), 20.0 / 1.8), 1e-9);
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
