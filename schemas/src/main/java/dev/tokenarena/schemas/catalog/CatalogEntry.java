package dev.tokenarena.schemas.catalog;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.List;

/**
 * One endpoint as a user describes it in the catalogue YAML (DESIGN section 2). The API key is
 * never here: only the name of the environment variable that holds it.
 */
public record CatalogEntry(
        String id, String provider, String model, String sku, String precision, String decoding,
        String region, String gridZone, String protocol, String baseUrl, String modelName,
        String apiKeyEnv, boolean reference, int contextTokens, boolean logprobs,
        Price price, Energy energy) {

    /** Protocols the probe agent speaks. */
    public static final List<String> PROTOCOLS = List.of("openai-chat", "openai-completions", "anthropic-messages");

    /** List prices in USD per 1M tokens. */
    public record Price(double inputUsdPerMtok, double outputUsdPerMtok, Double cachedInputUsdPerMtok,
                        double batchDiscount) {
    }

    /**
     * Energy profile; {@code assumed} names the fields that were not given and took the
     * conservative default.
     */
    public record Energy(String accelerator, int count, double tdpW, double utilization, double pue,
                         double sparsity, int streamsPerReplica, String boundary, boolean disclosed,
                         List<String> assumed) {
    }

    /** The catalogue record as published on arena.endpoints.v1 (no secrets). */
    public Endpoint toEndpoint(long nowMs) {
        return Endpoint.newBuilder()
                .setEndpointId(id).setProvider(provider).setModel(model).setSku(sku).setPrecision(precision)
                .setDecoding(decoding).setRegion(region).setGridZone(gridZone).setProtocol(protocol)
                .setBaseUrl(baseUrl).setModelName(modelName).setApiKeyEnv(apiKeyEnv).setReference(reference)
                .setContextTokens(contextTokens).setLogprobs(logprobs).setUpdatedAtMs(nowMs)
                .build();
    }

    /** The catalogue price as a quote. */
    public PriceQuote toPriceQuote(String source, long effectiveFromMs) {
        return PriceQuote.newBuilder()
                .setEndpointId(id).setInputUsdPerMtok(price.inputUsdPerMtok())
                .setOutputUsdPerMtok(price.outputUsdPerMtok())
                .setCachedInputUsdPerMtok(price.cachedInputUsdPerMtok())
                .setBatchDiscount(price.batchDiscount()).setCurrency("USD").setSource(source)
                .setEffectiveFromMs(effectiveFromMs).build();
    }

    /** The catalogue energy block as a profile. */
    public EnergyProfile toEnergyProfile(long effectiveFromMs) {
        return EnergyProfile.newBuilder()
                .setEndpointId(id).setAccelerator(energy.accelerator()).setAcceleratorCount(energy.count())
                .setTdpW(energy.tdpW()).setUtilization(energy.utilization()).setPue(energy.pue())
                .setSparsity(energy.sparsity()).setStreamsPerReplica(energy.streamsPerReplica())
                .setBoundary(energy.boundary()).setDisclosed(energy.disclosed())
                .setAssumedFields(energy.assumed()).setEffectiveFromMs(effectiveFromMs).build();
    }
}
