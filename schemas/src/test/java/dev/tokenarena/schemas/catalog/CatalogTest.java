package dev.tokenarena.schemas.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogTest {

    private static final String GOOD = """
            endpoints:
              - id: acme-1
                provider: acme
                model: llama-3.3-70b
                sku: turbo
                precision: fp8
                region: us-east
                grid_zone: US-MIDA-PJM
                protocol: openai-chat
                base_url: https://api.acme.example/v1
                model_name: llama-turbo
                api_key_env: ACME_API_KEY
                context_tokens: 131072
                logprobs: true
                price: {input_usd_per_mtok: 0.88, output_usd_per_mtok: 0.88}
                energy: {accelerator: H100-SXM, count: 4, tdp_w: 700, utilization: 0.6}
            """;

    @Test
    void shouldParseEntryAndMarkMissingEnergyFieldsAssumedWhenCatalogueIsValid() {
        Catalog catalog = Catalog.parse(GOOD, "good.yaml");
        CatalogEntry e = catalog.endpoints().get(0);
        assertEquals("acme-1", e.id());
        assertEquals("default", e.decoding());
        assertEquals(0.88, e.price().inputUsdPerMtok());
        assertEquals(4, e.energy().count());
        // pue, sparsity, streams_per_replica and boundary were not given: conservative defaults, marked assumed
        assertEquals(List.of("pue", "sparsity", "streams_per_replica", "boundary"), e.energy().assumed());
        assertEquals(1.4, e.energy().pue());
        assertFalse(e.energy().disclosed());
    }

    @Test
    void shouldNameTheFieldInOneLineWhenRequiredFieldIsMissing() {
        String yaml = GOOD.replace("    grid_zone: US-MIDA-PJM\n", "");
        CatalogException e = assertThrows(CatalogException.class, () -> Catalog.parse(yaml, "endpoints.yaml"));
        assertEquals("endpoints.yaml: endpoints[0] (id=acme-1): field 'grid_zone': missing required field", e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void shouldRefuseUnknownProtocolAndNegativePriceWhenInvalid() {
        var protocol = assertThrows(CatalogException.class,
                () -> Catalog.parse(GOOD.replace("openai-chat", "grpc"), "c.yaml"));
        assertTrue(protocol.getMessage().contains("field 'protocol'"), protocol.getMessage());
        var price = assertThrows(CatalogException.class,
                () -> Catalog.parse(GOOD.replace("input_usd_per_mtok: 0.88", "input_usd_per_mtok: -1"), "c.yaml"));
        assertTrue(price.getMessage().contains("field 'price.input_usd_per_mtok'"), price.getMessage());
    }

    @Test
    void shouldRefuseDuplicateIdsWhenTwoEntriesShareOne() {
        String body = GOOD.substring(GOOD.indexOf("  - id"));
        var e = assertThrows(CatalogException.class, () -> Catalog.parse(GOOD + body, "c.yaml"));
        assertTrue(e.getMessage().contains("duplicate id 'acme-1'"), e.getMessage());
    }

    @Test
    void shouldCarrySelfHostedBlockAndQuoteNoTokenPriceWhenPriceIsOmitted() {
        String yaml = GOOD.replace("    price: {input_usd_per_mtok: 0.88, output_usd_per_mtok: 0.88}\n",
                "    self_hosted: {gpu_hour_usd: 2.5, gpus: 8}\n");
        CatalogEntry e = Catalog.parse(yaml, "sh.yaml").endpoints().get(0);
        assertEquals(new CatalogEntry.SelfHosted(2.5, 8), e.selfHosted());
        assertNull(e.price());
        // no quote rather than a zero price that would read as free
        assertNull(e.toPriceQuote("catalogue", 1L));
        var endpoint = e.toEndpoint(1L);
        assertEquals(2.5, endpoint.getSelfHostedGpuHourUsd());
        assertEquals(8, endpoint.getSelfHostedGpus());
    }

    @Test
    void shouldKeepTokenPriceBesideSelfHostedBlockWhenBothAreGiven() {
        String yaml = GOOD.replace("    logprobs: true\n", "    logprobs: true\n    self_hosted: {gpu_hour_usd: 2.5, gpus: 8}\n");
        CatalogEntry e = Catalog.parse(yaml, "sh.yaml").endpoints().get(0);
        assertEquals(0.88, e.toPriceQuote("catalogue", 1L).getInputUsdPerMtok());
        assertEquals(8, e.selfHosted().gpus());
        // an ordinary entry publishes no self-hosted fields
        var plain = Catalog.parse(GOOD, "good.yaml").endpoints().get(0).toEndpoint(1L);
        assertNull(plain.getSelfHostedGpuHourUsd());
        assertNull(plain.getSelfHostedGpus());
    }

    @Test
    void shouldNameTheSelfHostedFieldInOneLineWhenBlockIsInvalid() {
        String noPrice = GOOD.replace("    price: {input_usd_per_mtok: 0.88, output_usd_per_mtok: 0.88}\n", "");
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'price': missing required field (a self-hosted endpoint"
                        + " may give self_hosted: {gpu_hour_usd, gpus} instead)",
                assertThrows(CatalogException.class, () -> Catalog.parse(noPrice, "c.yaml")).getMessage());
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'self_hosted.gpus': is 0.0; must be within [1.0, 100000.0]",
                selfHostedError(noPrice, "{gpu_hour_usd: 2.5, gpus: 0}"));
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'self_hosted.gpus': is 2.5; must be a whole number of GPUs",
                selfHostedError(noPrice, "{gpu_hour_usd: 2.5, gpus: 2.5}"));
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'self_hosted.gpu_hour_usd': missing required field",
                selfHostedError(noPrice, "{gpus: 8}"));
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'self_hosted.gpu_hour_usd': is 0.0; must be within"
                + " [1.0E-4, 10000.0]", selfHostedError(noPrice, "{gpu_hour_usd: 0, gpus: 8}"));
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'self_hosted': unknown field(s) [gpu_hours];"
                + " valid: gpu_hour_usd, gpus", selfHostedError(noPrice, "{gpu_hours: 2.5, gpus: 8}"));
        assertEquals("c.yaml: endpoints[0] (id=acme-1): field 'self_hosted': must be a mapping",
                selfHostedError(noPrice, "2.5"));
    }

    private static String selfHostedError(String yamlWithoutPrice, String block) {
        String yaml = yamlWithoutPrice + "    self_hosted: " + block + "\n";
        CatalogException e = assertThrows(CatalogException.class, () -> Catalog.parse(yaml, "c.yaml"));
        assertEquals(1, e.getMessage().lines().count());
        return e.getMessage();
    }

    @Test
    void shouldKeepOnlyTheVariableNameWhenPublishingEndpoint() {
        CatalogEntry e = Catalog.parse(GOOD, "good.yaml").endpoints().get(0);
        var endpoint = e.toEndpoint(1L);
        assertEquals("ACME_API_KEY", endpoint.getApiKeyEnv());
        assertEquals("https://api.acme.example/v1", endpoint.getBaseUrl());
    }
}
