package dev.tokenarena.schemas.catalog;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.List;

/**
 * One endpoint as a user describes it in the catalogue YAML (DESIGN section 2). The API key is
 * never here: only the name of the environment variable that holds it.
 *
 * <p>{@code price} is null only for a self-hosted endpoint whose catalogue entry quotes no token
 * price: scoring then prices it from {@code selfHosted} and its measured throughput.
 * {@code selfHosted} is null unless the entry has a {@code self_hosted} block.
 */
public record CatalogEntry(
        String id, String provider, String model, String sku, String precision, String decoding,
        String region, String gridZone, String protocol, String baseUrl, String modelName,
        String apiKeyEnv, boolean reference, int contextTokens, boolean logprobs,
        Price price, Energy energy, SelfHosted selfHosted) {

    /** Protocols the probe agent speaks. */
    public static final List<String> PROTOCOLS = List.of("openai-chat", "openai-completions", "anthropic-messages");

    /** List prices in USD per 1M tokens. */
    public record Price(double inputUsdPerMtok, double outputUsdPerMtok, Double cachedInputUsdPerMtok,
                        double batchDiscount) {
    }

    /**
     * A deployment the user runs and pays for by the GPU-hour.
     *
     * @param gpuHourUsd what one GPU costs per hour (rental, or amortized purchase plus hosting), USD
     * @param gpus       GPUs serving the endpoint's base_url, all replicas behind it
     */
    public record SelfHosted(double gpuHourUsd, int gpus) {
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
                .setSelfHostedGpuHourUsd(selfHosted == null ? null : selfHosted.gpuHourUsd())
                .setSelfHostedGpus(selfHosted == null ? null : selfHosted.gpus())
                .build();
    }

    /**
     * The catalogue price as a quote, or null when the entry quotes no token price (a self-hosted
     * endpoint priced from GPU-hours): a made-up zero would read as "free" downstream.
     */
    public PriceQuote toPriceQuote(String source, long effectiveFromMs) {
        if (price == null) {
            return null;
        }
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
