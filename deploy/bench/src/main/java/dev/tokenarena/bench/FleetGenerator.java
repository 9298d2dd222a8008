package dev.tokenarena.bench;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic fleet for the scoring benchmark: {@code endpoints} endpoints spread over six
 * model cohorts, probed from {@code regions} regions, one probe per (endpoint, region) per
 * {@code probeSpacingMs} of event time, in time order. Each endpoint has its own TTFT and speed;
 * probes vary around them (log-normal), about 3% fail (rate limit, HTTP error, timeout), and a
 * few are canaries and needles, so every branch of the topology does its usual work.
 */
final class FleetGenerator {

    static final List<String> REGIONS = List.of("us-east", "eu-central", "ap-southeast");
    private static final String[] MODELS = {"llama-3.3-70b", "llama-3.1-8b", "qwen2.5-72b", "mistral-large",
        "deepseek-v3", "gpt-oss-120b"};
    private static final String[] SCENARIOS = {"timing-in1k-c1", "timing-in1k-c10", "timing-in10k-c1",
        "timing-in1k-c100", "timing-in100k-c1"};

    private final int endpoints;
    private final int regions;
    private final long seed;
    private final double[] baseTtftMs;
    private final double[] baseTps;

    FleetGenerator(int endpoints, int regions, long seed) {
        if (endpoints < 1 || regions < 1 || regions > REGIONS.size()) {
            throw new IllegalArgumentException("need endpoints >= 1 and regions in 1.." + REGIONS.size());
        }
        this.endpoints = endpoints;
        this.regions = regions;
        this.seed = seed;
        SplittableRandom r = new SplittableRandom(seed);
        baseTtftMs = new double[endpoints];
        baseTps = new double[endpoints];
        for (int i = 0; i < endpoints; i++) {
            baseTtftMs[i] = 150 + r.nextDouble() * 850;
            baseTps[i] = 20 + r.nextDouble() * 180;
        }
    }

    static String endpointId(int i) {
        return "prov" + (i % 13) + "-" + MODELS[i % MODELS.length].replace('.', '-') + "-" + i;
    }

    static String model(int i) {
        return MODELS[i % MODELS.length];
    }

    int endpointCount() {
        return endpoints;
    }

    int regionCount() {
        return regions;
    }

    List<Endpoint> endpoints(long atMs) {
        List<Endpoint> out = new ArrayList<>(endpoints);
        for (int i = 0; i < endpoints; i++) {
            boolean reference = i < MODELS.length; // the first endpoint of each cohort is its reference
            out.add(Endpoint.newBuilder().setEndpointId(endpointId(i)).setProvider("prov" + (i % 13))
                    .setModel(model(i)).setSku(reference ? "ref" : "std").setPrecision(reference ? "bf16" : "fp8")
                    .setDecoding("default").setRegion(REGIONS.get(i % REGIONS.size()))
                    .setGridZone("ZONE-" + (i % 4)).setProtocol("openai-chat")
                    .setBaseUrl("http://127.0.0.1:1/" + endpointId(i) + "/v1").setModelName(model(i))
                    .setReference(reference).setContextTokens(131072).setLogprobs(true).setUpdatedAtMs(atMs).build());
        }
        return out;
    }

    List<PriceQuote> prices(long atMs) {
        List<PriceQuote> out = new ArrayList<>(endpoints);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int i = 0; i < endpoints; i++) {
            double in = 0.1 + r.nextDouble() * 2.9;
            out.add(PriceQuote.newBuilder().setEndpointId(endpointId(i)).setInputUsdPerMtok(in)
                    .setOutputUsdPerMtok(in * (2 + r.nextDouble() * 2)).setBatchDiscount(0.5).setSource("bench")
                    .setEffectiveFromMs(atMs).build());
        }
        return out;
    }

    /**
     * Probe number {@code seq} (0-based): (endpoint, region) round-robin, so each pair gets one
     * probe per {@code endpoints * regions} events; started at {@code startedAtMs}.
     */
    ProbeResult probe(long seq, long startedAtMs) {
        int pair = (int) (seq % ((long) endpoints * regions));
        int e = pair / regions;
        int region = pair % regions;
        SplittableRandom r = new SplittableRandom(seed * 31 + seq);
        double u = r.nextDouble();
        String kind = u < 0.02 ? "needle" : u < 0.05 ? "canary" : "timing";
        String scenario = kind.equals("timing") ? SCENARIOS[(int) (seq / ((long) endpoints * regions)) % SCENARIOS.length]
                : kind.equals("needle") ? "needle-32768" : "canary-" + (seq % 4);
        double fail = r.nextDouble();
        String outcome = fail < 0.01 ? "RATE_LIMITED" : fail < 0.02 ? "HTTP_ERROR" : fail < 0.03 ? "TIMEOUT" : "OK";
        double regionMs = 10 + 40 * region;
        double ttft = baseTtftMs[e] * Math.exp(0.25 * r.nextGaussian()) + regionMs;
        double tps = baseTps[e] * Math.exp(0.1 * r.nextGaussian());
        int outputTokens = kind.equals("needle") ? 12 : 256;
        double tpot = 1000.0 / tps;
        double e2e = ttft + tpot * (outputTokens - 1);
        ProbeResult.Builder b = ProbeResult.newBuilder().setProbeId("bench-" + seq).setEndpointId(endpointId(e))
                .setRegion(REGIONS.get(region)).setAgentId("agent-" + REGIONS.get(region) + "-1")
                .setRound(seq / ((long) endpoints * regions)).setScenario(scenario).setKind(kind)
                .setInputTokensTarget(1000).setConcurrency(1).setMaxTokens(256).setStartedAtMs(startedAtMs)
                .setOutcome(outcome).setInputTokensLocal(1000).setReasoningTokensLocal(0).setTokenCountMismatch(false)
                .setServerTimings(Map.of());
        if (!outcome.equals("OK")) {
            Integer status = outcome.equals("TIMEOUT") ? null : outcome.equals("RATE_LIMITED") ? 429 : 500;
            return b.setHttpStatus(status)
                    .setError(outcome.equals("TIMEOUT") ? "response not complete within request.timeout.ms=180000"
                            : "status " + (outcome.equals("RATE_LIMITED") ? 429 : 500))
                    .setE2eMs(outcome.equals("TIMEOUT") ? 180_000.0 : regionMs).setOutputTokens(0)
                    .setOutputTokensLocal(0).setConnectMs(regionMs / 2).build();
        }
        b.setConnectMs(regionMs / 2).setTtftMs(ttft).setTtftNetMs(ttft - regionMs / 2).setTtfvMs(ttft).setE2eMs(e2e)
                .setTpotMs(tpot).setOutputTps(tps).setGapMsP50(tpot).setGapMsP99(tpot * 2.5).setGapMsMax(tpot * 4)
                .setOutputTokens(outputTokens).setOutputTokensServer(outputTokens).setOutputTokensLocal(outputTokens)
                .setInputTokensServer(1000).setFinishReason(kind.equals("needle") ? "stop" : "length")
                .setServerRequestId("req-" + seq);
        if (kind.equals("canary")) {
            b.setCanaryId("canary-" + (seq % 4)).setResponseSha256(Long.toHexString(seed + (seq % 4)));
        }
        if (kind.equals("needle")) {
            b.setNeedleContextTokens(32768).setNeedleFound(r.nextDouble() < 0.95);
        }
        return b.build();
    }
}
