package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** Prices through the whole topology: cached-input share, batch prices, self-hosted GPU-hours. */
class CostCompositesTest {

    private static Map<String, EndpointComposite> latest(List<KeyValue<String, EndpointComposite>> all, String preset) {
        Map<String, EndpointComposite> out = new HashMap<>();
        all.stream().filter(kv -> kv.value.getPreset().equals(preset) && kv.value.getWindow().equals("1h"))
                .forEach(kv -> out.put(kv.key, kv.value));
        return out;
    }

    /** Moves the stream time of the cohort task: a catalogue entry of another model. */
    private static void tick(Fixture f, String id, long at) {
        f.pipe(f.endpoints, id, Events.endpoint(id, "clock-model", false, at));
    }

    /**
     * Chat serves half its input from the prompt cache (cached_input_share 0.5, other presets 0).
     * e1 quotes 0.60 in / 0.20 cached / 0.80 out, e2 1.20 / 1.60 with no cached price; both a 50%
     * batch discount. e1 gets 3 of 4 correct at 250 tokens each.
     */
    @Test
    void shouldApplyCachedInputShareAndBatchDiscountExactlyWhenPricesAreQuoted() throws Exception {
        try (Fixture f = new Fixture(CompositeMathTest.cachedChatParams())) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", true, T0));
            f.pipe(f.endpoints, "e2", Events.endpoint("e2", "m", false, T0));
            f.pipe(f.prices, "e1", PriceQuote.newBuilder(Events.price("e1", 0.60, 0.80, T0))
                    .setCachedInputUsdPerMtok(0.20).build());
            f.pipe(f.prices, "e2", Events.price("e2", 1.20, 1.60, T0));
            for (int i = 0; i < 4; i++) {
                f.pipe(f.evals, "e1", Events.eval("e1", T0 + i * 1000, "OK", i != 2, 250, 0.001));
            }
            for (int i = 1; i <= 2; i++) {
                f.pipe(f.probes, "e1", Events.probe("e1", T0 + i * MINUTE).build());
                f.pipe(f.probes, "e2", Events.probe("e2", T0 + i * MINUTE).build());
            }
            tick(f, "clock-1", T0 + 5 * MINUTE);
            List<KeyValue<String, EndpointComposite>> all = f.composites.readKeyValuesToList();

            Map<String, EndpointComposite> chat = latest(all, "chat");
            // e1 input = 0.5 x 0.60 + 0.5 x 0.20 = 0.40; (3 x 0.40 + 0.80) / 4 = 0.50
            assertEquals(0.50, chat.get("e1").getBlendedUsdPerMtok(), 1e-12);
            assertEquals("token_price", chat.get("e1").getPriceBasis());
            // e2 quotes no cached price: its cached tokens cost the input price, (3 x 1.20 + 1.60) / 4 = 1.30
            assertEquals(1.30, chat.get("e2").getBlendedUsdPerMtok(), 1e-12);
            // CCA = 0.50e-6 x 250 / 0.75 = 1.6667e-4 USD
            assertEquals(0.50e-6 * 250 / 0.75, chat.get("e1").getUsdPerCorrect(), 1e-15);
            // rag has no cached share: the cached price changes nothing, (20 x 0.60 + 0.80) / 21
            assertEquals(12.80 / 21, latest(all, "rag").get("e1").getBlendedUsdPerMtok(), 1e-12);
            // batch: (3 x 0.60 + 0.80) / 4 x (1 - 0.5) = 0.325; e2: 1.30 x 0.5 = 0.65
            Map<String, EndpointComposite> batch = latest(all, "batch");
            assertEquals(0.325, batch.get("e1").getBlendedUsdPerMtok(), 1e-12);
            assertEquals(0.65, batch.get("e2").getBlendedUsdPerMtok(), 1e-12);
            // batch CCA uses the batch price: 0.325e-6 x 250 / 0.75 = 1.0833e-4 USD
            assertEquals(0.325e-6 * 250 / 0.75, batch.get("e1").getUsdPerCorrect(), 1e-15);
            // the measured $/correct is what the items cost: 4 x 0.001 / 3, the same for every preset
            assertEquals(0.004 / 3, batch.get("e1").getUsdPerCorrectMeasured(), 1e-12);
            assertNull(chat.get("e1").getSelfHostedUsdPerMtok());
        }
    }

    /**
     * "sh" runs on 8 GPUs at 2.50 USD/GPU-hour (20 USD/h) and quotes no token price. Closed-loop
     * probes: c1 twice (200 tokens in 2 s, TTFT 100 ms, 100 tok/s per stream) -> 1 x 400 / 4 s =
     * 100 tok/s; c10 ten times (200 tokens in 4 s, TTFT 800 ms, 55 tok/s) -> 10 x 2000 / 40 s =
     * 500 tok/s. Both meet the SLO (TTFT p90 <= 2 s, speed >= 20): c10 prices it, 20 / (500 x
     * 3600) x 1e6 = 11.111 USD/Mtok. Sums, not sketches: exact.
     */
    @Test
    void shouldPriceSelfHostedEndpointFromGpuHoursAndMeasuredThroughputWhenNoTokenPrice() throws Exception {
        try (Fixture f = new Fixture()) {
            Endpoint sh = Endpoint.newBuilder(Events.endpoint("sh", "m", false, T0)).setSelfHostedGpuHourUsd(2.50)
                    .setSelfHostedGpus(8).build();
            f.pipe(f.endpoints, "sh", sh);
            for (int i = 0; i < 4; i++) {
                // unpriced, as the worker publishes items of an endpoint without a token price
                f.pipe(f.evals, "sh", Events.unpricedEval("sh", T0 + i * 1000, "OK", i % 2 == 0, 400));
            }
            for (int i = 0; i < 2; i++) {
                f.pipe(f.probes, "sh", Events.probe("sh", T0 + MINUTE + i).setE2eMs(2000.0).setOutputTps(100.0).build());
            }
            for (int i = 0; i < 10; i++) {
                f.pipe(f.probes, "sh", Events.probe("sh", T0 + 2 * MINUTE + i).setScenario("timing-in1k-c10")
                        .setConcurrency(10).setE2eMs(4000.0).setTtftMs(800.0).setOutputTps(55.0).build());
            }
            tick(f, "clock-1", T0 + 5 * MINUTE);
            List<KeyValue<String, EndpointComposite>> all = f.composites.readKeyValuesToList();
            EndpointComposite chat = latest(all, "chat").get("sh");
            assertNotNull(chat);
            assertEquals(10, chat.getSelfHostedConcurrency());
            assertEquals(500.0, chat.getSelfHostedAggregateOutputTps(), 1e-9);
            assertEquals(20.0 / 1.8, chat.getSelfHostedUsdPerMtok(), 1e-9);
            assertEquals(Boolean.TRUE, chat.getSelfHostedSloMet());
            assertEquals("self_hosted", chat.getPriceBasis());
            // chat 3:1 output-only: 11.111 / 4 = 2.7778; CCA = 2.7778e-6 x 400 / 0.5 = 2.2222e-3
            assertEquals(20.0 / 1.8 / 4, chat.getBlendedUsdPerMtok(), 1e-9);
            assertEquals(20.0 / 1.8 / 4 / 1e6 * 400 / 0.5, chat.getUsdPerCorrect(), 1e-12);
            // measured: 400 tokens at 11.111 USD/Mtok per item over A = 0.5 -> 8.8889e-3, not the items' 0
            assertEquals(20.0 / 1.8 / 1e6 * 400 / 0.5, chat.getUsdPerCorrectMeasured(), 1e-12);
            // the unpriced items still give accuracy: 2 of 4 correct
            assertEquals(0.5, chat.getAccuracy(), 1e-12);
            assertEquals(4, chat.getEvalCount());
            assertTrue(f.dlq.isEmpty());
            // batch: highest throughput without SLO is still c10 (c1 is 100 tok/s), no discount: 2.7778
            EndpointComposite batch = latest(all, "batch").get("sh");
            assertEquals(10, batch.getSelfHostedConcurrency());
            assertNull(batch.getSelfHostedSloMet());
            assertEquals(20.0 / 1.8 / 4, batch.getBlendedUsdPerMtok(), 1e-9);
        }
    }
}
