package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.scoring.avro.ConcurrencyStats;
import dev.tokenarena.scoring.avro.EndpointSummary;
import dev.tokenarena.scoring.avro.PriceInfo;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.QualityStats;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Cohort scoring of a self-hosted endpoint beside token-priced ones, on hand-built summaries (the
 * probe stats' per-concurrency figures are given, not aggregated here).
 *
 * <p>Cohort m: "tok" quotes 0.60 in / 0.80 out, batch discount 0.5; "sh" quotes no token price and
 * runs on 8 GPUs at 2.50 USD/GPU-hour (20 USD/h) with the levels of
 * {@link CompositeMathTest#LEVELS}: c1 100 tok/s, c10 500 tok/s, c100 2000 tok/s (TTFT p90 5 s);
 * "both" quotes 1.00 / 1.00 and is self-hosted on the same GPUs.
 */
class SelfHostedCostTest {

    private static final long END = Events.T0 + 60 * Events.MINUTE;
    private final ScoringParams params = ScoringParams.defaults();

    private static ProbeStats probe(List<ConcurrencyStats> levels) {
        return ProbeStats.newBuilder().setWindowStartMs(Events.T0).setWindowEndMs(END).setProbeCount(10).setOkCount(10)
                .setSuccessRate(1.0).setTimingCount(10).setOutputTpsP50(50.0).setTtftMsP50(100.0)
                .setByConcurrency(levels).build();
    }

    /** Accuracy correct/graded, T_e tokens; the eval items cost what the worker was told (0 here). */
    private static QualityStats quality(long graded, long correct, double tokens, Double measured) {
        return QualityStats.newBuilder().setWindowStartMs(Events.T0).setWindowEndMs(END).setItemCount(graded)
                .setGradedCount(graded).setCorrectCount(correct).setFailedCount(0)
                .setAccuracy((double) correct / graded).setTokensToSolution(tokens).setCostUsdSum(0.0)
                .setUsdPerCorrectMeasured(measured).build();
    }

    private static EndpointSummary summary(String id, PriceInfo price, Double gpuHour, Integer gpus,
                                           List<ConcurrencyStats> levels, QualityStats q) {
        return EndpointSummary.newBuilder().setEndpointId(id).setProvider("p-" + id).setModel("m").setSku("s")
                .setPrecision("bf16").setRegion("us-east").setGridZone("Z").setReference(false)
                .setProbe(probe(levels)).setPrice(price).setSelfHostedGpuHourUsd(gpuHour).setSelfHostedGpus(gpus)
                .setQuality(q).build();
    }

    private Map<String, EndpointComposite> score(String preset) {
        List<EndpointSummary> cohort = List.of(
                summary("tok", new PriceInfo(0.60, 0.80, 0.5, null), null, null, List.of(), quality(4, 3, 250, 0.004 / 3)),
                // items cost 0 at no list price: the measured 0.0 must not survive as "free"
                summary("sh", null, 2.50, 8, CompositeMathTest.LEVELS, quality(4, 2, 400, 0.0)),
                summary("both", new PriceInfo(1.00, 1.00, 0.0, null), 2.50, 8, CompositeMathTest.LEVELS,
                        quality(4, 2, 400, 0.001)));
        return CohortScoring.score(cohort, params, END).stream()
                .filter(c -> c.getPreset().equals(preset) && c.getWindow().equals("1h"))
                .collect(Collectors.toMap(EndpointComposite::getEndpointId, c -> c));
    }

    @Test
    void shouldPriceSelfHostedEndpointFromGpuHoursWhenNoTokenPriceIsQuoted() {
        Map<String, EndpointComposite> chat = score("chat");
        EndpointComposite sh = chat.get("sh");
        // SLO TTFT p90 <= 2 s, speed >= 20 tok/s -> c10 at 500 tok/s: 20 USD/h / 1.8M tok/h = 11.111 USD/Mtok
        assertEquals(10, sh.getSelfHostedConcurrency());
        assertEquals(500.0, sh.getSelfHostedAggregateOutputTps(), 1e-9);
        assertEquals(20.0 / 1.8, sh.getSelfHostedUsdPerMtok(), 1e-9);
        assertEquals(Boolean.TRUE, sh.getSelfHostedSloMet());
        assertEquals("self_hosted", sh.getPriceBasis());
        // chat 3:1, output-only: 11.111 x 1 / 4 = 2.7778 USD/Mtok
        assertEquals(20.0 / 1.8 / 4, sh.getBlendedUsdPerMtok(), 1e-9);
        // CCA = 2.7778e-6 x 400 / 0.5 = 2.2222e-3 USD
        assertEquals(20.0 / 1.8 / 4 / 1e6 * 400 / 0.5, sh.getUsdPerCorrect(), 1e-12);
        // measured: every graded item's 400 output tokens at 11.111 USD/Mtok over 2 of 4 correct:
        // 4 x 400 x 11.111e-6 / 2 = 8.8889e-3 USD (not the 0.0 of the unpriced eval items)
        assertEquals(4 * 400 * 20.0 / 1.8 / 1e6 / 2, sh.getUsdPerCorrectMeasured(), 1e-12);
        // chat prices: tok 0.65, both (3 + 1) / 4 = 1.00, sh 2.7778 -> sh is the dearest: factor 0
        assertEquals(0.0, sh.getFactors().getPrice(), 1e-12);
        assertEquals(1.0, chat.get("tok").getFactors().getPrice(), 1e-12);
        // (2.7778 - 1.00) / (2.7778 - 0.65) = 1.7778 / 2.1278 = 0.83551
        assertEquals((20.0 / 1.8 / 4 - 1.0) / (20.0 / 1.8 / 4 - 0.65), chat.get("both").getFactors().getPrice(), 1e-12);
    }

    @Test
    void shouldKeepQuotedTokenPriceAndStillReportSelfHostedCostWhenBothAreKnown() {
        EndpointComposite both = score("chat").get("both");
        assertEquals("token_price", both.getPriceBasis());
        assertEquals(1.00, both.getBlendedUsdPerMtok(), 1e-12);
        assertEquals(0.001, both.getUsdPerCorrectMeasured(), 1e-12);
        assertEquals(20.0 / 1.8, both.getSelfHostedUsdPerMtok(), 1e-9);
        EndpointComposite tok = score("chat").get("tok");
        assertEquals("token_price", tok.getPriceBasis());
        assertNull(tok.getSelfHostedUsdPerMtok());
        assertNull(tok.getSelfHostedConcurrency());
    }

    @Test
    void shouldPriceSelfHostedAtHighestThroughputWithoutDiscountWhenBatchPreset() {
        Map<String, EndpointComposite> batch = score("batch");
        EndpointComposite sh = batch.get("sh");
        // no latency target: c100 at 2000 tok/s -> 20 / 7.2 = 2.7778 USD/Mtok; no SLO applied
        assertEquals(100, sh.getSelfHostedConcurrency());
        assertEquals(20.0 / 7.2, sh.getSelfHostedUsdPerMtok(), 1e-9);
        assertNull(sh.getSelfHostedSloMet());
        // 3:1 output-only, no batch discount on own GPUs: 2.7778 / 4 = 0.69444
        assertEquals(20.0 / 7.2 / 4, sh.getBlendedUsdPerMtok(), 1e-9);
        // the token price gets the 50% batch discount: 0.65 x 0.5 = 0.325
        assertEquals(0.325, batch.get("tok").getBlendedUsdPerMtok(), 1e-12);
    }

    @Test
    void shouldMakeSelfHostedCheapestInInputHeavyPresetWhenInputIsFolded() {
        // rag 20:1: tok (20 x 0.60 + 0.80) / 21 = 0.60952; sh 11.111 / 21 = 0.52910 -> sh cheapest.
        // The documented caveat: input is free in the blend because prefill sits inside the measured time.
        Map<String, EndpointComposite> rag = score("rag");
        assertEquals(20.0 / 1.8 / 21, rag.get("sh").getBlendedUsdPerMtok(), 1e-9);
        assertEquals(12.80 / 21, rag.get("tok").getBlendedUsdPerMtok(), 1e-12);
        assertEquals(1.0, rag.get("sh").getFactors().getPrice(), 1e-12);
    }

    @Test
    void shouldLeavePriceEmptyWhenSelfHostedEndpointHasNoMeasuredLevel() {
        List<EndpointSummary> cohort = List.of(summary("sh", null, 2.50, 8, List.of(), quality(4, 2, 400, 0.0)));
        EndpointComposite sh = CohortScoring.score(cohort, params, END).get(0);
        assertNull(sh.getBlendedUsdPerMtok());
        assertNull(sh.getPriceBasis());
        assertNull(sh.getUsdPerCorrect());
        assertNull(sh.getUsdPerCorrectMeasured());
        assertEquals(0.0, sh.getFactors().getPrice(), 1e-12);
    }
}
