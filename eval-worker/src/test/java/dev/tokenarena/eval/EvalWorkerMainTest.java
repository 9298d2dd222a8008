package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalWorkerMainTest {

    /** One catalogue entry in flow style, with only the required fields and the given cost block. */
    private static String entry(String id, String cost) {
        return "  - {id: " + id + ", provider: acme, model: m, sku: s, precision: fp8, region: us-east, grid_zone: Z,"
                + " protocol: openai-chat, base_url: 'http://localhost/v1', model_name: m, context_tokens: 8192, "
                + cost + "}\n";
    }

    /** A self-hosted entry without a token price once stopped the standalone worker at startup (null in toMap). */
    @Test
    void shouldLeaveSelfHostedEntryOutOfQuotesWhenItQuotesNoTokenPrice() {
        Catalog catalog = Catalog.parse("endpoints:\n"
                + entry("listed", "price: {input_usd_per_mtok: 0.88, output_usd_per_mtok: 0.99}")
                + entry("inhouse", "self_hosted: {gpu_hour_usd: 2.5, gpus: 2}"), "c.yaml");
        Map<String, PriceQuote> quotes = EvalWorkerMain.catalogueQuotes(catalog);
        assertEquals(1, quotes.size(), quotes.toString());
        assertEquals(0.99, quotes.get("listed").getOutputUsdPerMtok(), 0.0);
    }
}
