package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.schemas.v1.TokenLogprob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test events with only the fields that matter set; times are event times. */
final class Events {

    /** 2026-01-01T10:00:00Z, a round hour so window bounds are easy to work out. */
    static final long T0 = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private static int seq;

    private Events() {
    }

    static Endpoint endpoint(String id, String model, boolean reference, long at) {
        return Endpoint.newBuilder().setEndpointId(id).setProvider("prov-" + id).setModel(model).setSku("std")
                .setPrecision(reference ? "bf16" : "fp8").setDecoding("default").setRegion("us-east")
                .setGridZone("ZONE-A").setProtocol("openai-chat").setBaseUrl("http://localhost/v1")
                .setModelName(model).setReference(reference).setContextTokens(131072).setLogprobs(true)
                .setUpdatedAtMs(at).build();
    }

    static ProbeResult.Builder probe(String endpoint, long at) {
        return ProbeResult.newBuilder().setProbeId("p-" + (++seq)).setEndpointId(endpoint).setRegion("us-east")
                .setAgentId("agent-1").setRound(seq).setScenario("timing-in1k-c1").setKind("timing")
                .setInputTokensTarget(1000).setConcurrency(1).setMaxTokens(256).setStartedAtMs(at).setOutcome("OK")
                .setE2eMs(1000.0).setTtftMs(100.0).setTtfvMs(100.0).setTpotMs(20.0).setOutputTps(50.0)
                .setOutputTokens(200).setOutputTokensLocal(200).setInputTokensLocal(1000);
    }

    static ProbeResult needle(String endpoint, long at, int length, boolean found) {
        return probe(endpoint, at).setKind("needle").setScenario("needle-" + length)
                .setNeedleContextTokens(length).setNeedleFound(found).build();
    }

    static EvalItemResult eval(String endpoint, long at, String outcome, boolean correct, int outputTokens,
                               double costUsd) {
        return EvalItemResult.newBuilder().setResultId("r-" + (++seq)).setEndpointId(endpoint).setRunId("run-1")
                .setSuite("gsm8k-sample").setItemId("item-" + seq).setStartedAtMs(at).setOutcome(outcome)
                .setCorrect(correct).setExpectedAnswer("42").setInputTokens(100).setOutputTokens(outputTokens)
                .setLatencyMs(500.0).setCostUsd(costUsd).build();
    }

    /** An item of an endpoint the worker knew no token price for: priced = false, cost 0. */
    static EvalItemResult unpricedEval(String endpoint, long at, String outcome, boolean correct, int outputTokens) {
        return EvalItemResult.newBuilder(eval(endpoint, at, outcome, correct, outputTokens, 0.0)).setPriced(false).build();
    }

    static PriceQuote price(String endpoint, double in, double out, long at) {
        return PriceQuote.newBuilder().setEndpointId(endpoint).setInputUsdPerMtok(in).setOutputUsdPerMtok(out)
                .setBatchDiscount(0.5).setSource("test").setEffectiveFromMs(at).build();
    }

    static EnergyProfile energy(String endpoint, List<String> assumed, long at) {
        return EnergyProfile.newBuilder().setEndpointId(endpoint).setAccelerator("H100-SXM").setAcceleratorCount(4)
                .setTdpW(700).setUtilization(0.6).setPue(1.2).setSparsity(0.0).setStreamsPerReplica(32)
                .setBoundary("server").setDisclosed(false).setAssumedFields(new ArrayList<>(assumed))
                .setEffectiveFromMs(at).build();
    }

    static GridIntensity grid(String zone, double g, long at) {
        return GridIntensity.newBuilder().setZone(zone).setGco2PerKwh(g).setSource("test").setEffectiveFromMs(at)
                .build();
    }

    /** A position whose generated token is the first listed one. */
    static FingerprintPosition position(Object... tokenAndProb) {
        List<TokenLogprob> top = new ArrayList<>();
        for (int i = 0; i < tokenAndProb.length; i += 2) {
            top.add(new TokenLogprob((String) tokenAndProb[i], Math.log((Double) tokenAndProb[i + 1])));
        }
        return new FingerprintPosition(top.get(0).getToken(), top.get(0).getLogprob(), top);
    }

    static FingerprintSample fingerprint(String endpoint, String model, String prompt, long at,
                                         List<FingerprintPosition> positions) {
        return FingerprintSample.newBuilder().setSampleId("s-" + (++seq)).setEndpointId(endpoint).setModel(model)
                .setPromptSet("fp-v1").setPromptId(prompt).setRunId("run-1").setSampledAtMs(at).setTopK(5)
                .setLogprobsAvailable(true).setCompletion("x").setPositions(new ArrayList<>(positions)).build();
    }
}
