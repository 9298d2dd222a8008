package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.scoring.avro.EndpointSummary;
import dev.tokenarena.scoring.avro.FidelityStats;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.QualityStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Composites of one cohort (the endpoints of one model) under every preset: the five factors
 * min-max normalized within the cohort, TA = 100 sum w_k norm_k. Pure: the same summaries and
 * params give the same composites.
 */
final class CohortScoring {

    static final String PROBE_WINDOW_LABEL = dev.tokenarena.schemas.Topics.MAIN_WINDOW;

    private CohortScoring() {
    }

    /**
     * Scores the measured members (those with probe stats; a catalogue entry alone is not yet
     * comparable) and returns composites ordered by window (1h, then windows.probe_extra in file
     * order), preset (file order), then endpoint_id.
     */
    static List<EndpointComposite> score(List<EndpointSummary> cohort, ScoringParams params, long computedAtMs) {
        return score(cohort, params, computedAtMs, null);
    }

    /** The same for the window labels in {@code windows} only (null: every window). */
    static List<EndpointComposite> score(List<EndpointSummary> cohort, ScoringParams params, long computedAtMs,
                                         java.util.Set<String> windows) {
        List<EndpointComposite> out = new ArrayList<>();
        if (windows == null || windows.contains(PROBE_WINDOW_LABEL)) {
            out.addAll(score(cohort, params, computedAtMs, PROBE_WINDOW_LABEL, EndpointSummary::getProbe));
        }
        for (ScoringParams.ProbeWindow pw : params.probeExtraWindows()) {
            if (windows == null || windows.contains(pw.label())) {
                out.addAll(score(cohort, params, computedAtMs, pw.label(),
                        s -> s.getProbeByWindow().get(pw.label())));
            }
        }
        return out;
    }

    /**
     * Composites of one window label: the members are the endpoints with probe stats in that
     * window, normalized among themselves; quality, price, fidelity and energy inputs are shared.
     */
    private static List<EndpointComposite> score(List<EndpointSummary> cohort, ScoringParams params,
                                                 long computedAtMs, String window,
                                                 Function<EndpointSummary, ProbeStats> probeOf) {
        List<EndpointSummary> members = cohort.stream().filter(s -> probeOf.apply(s) != null)
                .sorted(Comparator.comparing(EndpointSummary::getEndpointId)).toList();
        if (members.isEmpty()) {
            return List.of();
        }
        Double noiseFloor = members.stream().filter(EndpointSummary::getReference)
                .map(EndpointSummary::getFidelity).filter(f -> f != null && f.getFidelity() != null)
                .map(FidelityStats::getFidelity).findFirst().orElse(null);
        List<Double> speed = new ArrayList<>();
        List<Double> ttft = new ArrayList<>();
        List<Double> quality = new ArrayList<>();
        List<Double> reliability = new ArrayList<>();
        for (EndpointSummary s : members) {
            ProbeStats p = probeOf.apply(s);
            speed.add(p.getOutputTpsP50());
            ttft.add(p.getTtftMsP50());
            quality.add(s.getQuality() == null ? null : s.getQuality().getAccuracy());
            reliability.add(p.getProbeCount() > 0 ? p.getSuccessRate() : null);
        }
        double[] nSpeed = CompositeMath.normalize(speed, true);
        double[] nTtft = CompositeMath.normalize(ttft, false);
        double[] nQuality = CompositeMath.normalize(quality, true);
        double[] nReliability = CompositeMath.normalize(reliability, true);

        List<EndpointComposite> out = new ArrayList<>();
        for (ScoringParams.Preset preset : params.presets().values()) {
            List<Cost> costs = new ArrayList<>();
            List<Double> price = new ArrayList<>();
            for (EndpointSummary s : members) {
                Cost c = cost(s, probeOf.apply(s), preset, params);
                costs.add(c);
                price.add(c.blendedUsdPerMtok());
            }
            double[] nPrice = CompositeMath.normalize(price, false);
            for (int i = 0; i < members.size(); i++) {
                FactorScores f = FactorScores.newBuilder().setSpeed(nSpeed[i]).setTtft(nTtft[i]).setPrice(nPrice[i])
                        .setQuality(nQuality[i]).setReliability(nReliability[i]).build();
                ScoringParams.Weights w = preset.weights();
                double score = 100.0 * (w.speed() * f.getSpeed() + w.ttft() * f.getTtft() + w.price() * f.getPrice()
                        + w.quality() * f.getQuality() + w.reliability() * f.getReliability());
                out.add(composite(members.get(i), probeOf.apply(members.get(i)), window, preset, f, score,
                        costs.get(i), noiseFloor, params, computedAtMs));
            }
        }
        return out;
    }

    /**
     * An endpoint's price under one preset: a quoted token price wins; a self-hosted endpoint
     * without one is priced from GPU-hours over its measured throughput (the SLO applies except
     * for batch presets, which have no latency target).
     */
    record Cost(Double blendedUsdPerMtok, String basis, CompositeMath.SelfHostedCost selfHosted) {
    }

    static final String PRICE_BASIS_TOKEN = "token_price";
    static final String PRICE_BASIS_SELF_HOSTED = "self_hosted";

    static Cost cost(EndpointSummary s, ProbeStats p, ScoringParams.Preset preset, ScoringParams params) {
        CompositeMath.SelfHostedCost sh = CompositeMath.selfHostedCost(s.getSelfHostedGpuHourUsd(),
                s.getSelfHostedGpus(), p.getByConcurrency(), preset.batchPrice() ? null : params.selfHostedSlo());
        if (s.getPrice() != null) {
            return new Cost(CompositeMath.blendedUsdPerMtok(preset, s.getPrice()), PRICE_BASIS_TOKEN, sh);
        }
        if (sh != null) {
            return new Cost(CompositeMath.blendedSelfHostedUsdPerMtok(preset, sh.usdPerMtok()), PRICE_BASIS_SELF_HOSTED,
                    sh);
        }
        return new Cost(null, null, null);
    }

    private static EndpointComposite composite(EndpointSummary s, ProbeStats p, String window,
                                               ScoringParams.Preset preset, FactorScores f, double score,
                                               Cost cost, Double noiseFloor, ScoringParams params,
                                               long computedAtMs) {
        QualityStats q = s.getQuality();
        Double accuracy = q == null ? null : q.getAccuracy();
        Double tokens = q == null ? null : q.getTokensToSolution();
        Double blended = cost.blendedUsdPerMtok();
        CompositeMath.SelfHostedCost sh = cost.selfHosted();
        // Eval item costs are at a token list price; a self-hosted endpoint without one has item
        // costs that price nothing, so its measured $/correct is the graded items' output tokens at
        // the self-hosted rate (null until a level is measured), never their 0.
        boolean gpuPriced = s.getPrice() == null && s.getSelfHostedGpuHourUsd() != null;
        Double measured = gpuPriced ? (sh == null ? null : CompositeMath.usdPerCorrect(sh.usdPerMtok(), tokens, accuracy))
                : q == null ? null : q.getUsdPerCorrectMeasured();
        CompositeMath.EnergyPerToken j = CompositeMath.energyPerToken(s.getEnergy(), p.getOutputTpsP50(),
                params.energy());
        Double jPerCorrect = j == null || tokens == null || accuracy == null || accuracy <= 0 ? null
                : j.central() * tokens / accuracy;
        Double kwh = j == null ? null : CompositeMath.kwhPerMtok(j.central());
        Double gco2 = kwh == null || s.getGridGco2PerKwh() == null ? null : kwh * s.getGridGco2PerKwh();
        FidelityStats fid = s.getFidelity();
        return EndpointComposite.newBuilder()
                .setEndpointId(s.getEndpointId()).setPreset(preset.name()).setWindow(window)
                .setWindowStartMs(p.getWindowStartMs()).setWindowEndMs(p.getWindowEndMs())
                .setComputedAtMs(computedAtMs).setConfigHash(params.configHash())
                .setProvider(s.getProvider()).setModel(s.getModel()).setSku(s.getSku())
                .setPrecision(s.getPrecision()).setRegion(s.getRegion())
                .setScore(score).setFactors(f)
                .setProbeCount(p.getProbeCount()).setSuccessRate(p.getSuccessRate())
                .setOutputTpsP50(p.getOutputTpsP50()).setTtftMsP50(p.getTtftMsP50())
                .setTtftMsP90(p.getTtftMsP90()).setTtftMsP99(p.getTtftMsP99()).setTtfvMsP50(p.getTtfvMsP50())
                .setE2eMsP50(p.getE2eMsP50()).setTpotMsP50(p.getTpotMsP50())
                .setTtftMsP50ByRegion(new LinkedHashMap<>(p.getTtftMsP50ByRegion()))
                .setBlendedUsdPerMtok(blended)
                .setAccuracy(accuracy)
                .setAccuracyCiLow(q == null ? null : q.getAccuracyCiLow())
                .setAccuracyCiHigh(q == null ? null : q.getAccuracyCiHigh())
                .setEvalCount(q == null ? 0L : q.getGradedCount())
                .setTokensToSolution(tokens)
                .setUsdPerCorrect(CompositeMath.usdPerCorrect(blended, tokens, accuracy))
                .setUsdPerCorrectMeasured(measured)
                .setPriceBasis(cost.basis())
                .setSelfHostedUsdPerMtok(sh == null ? null : sh.usdPerMtok())
                .setSelfHostedConcurrency(sh == null ? null : sh.concurrency())
                .setSelfHostedAggregateOutputTps(sh == null ? null : sh.aggregateOutputTps())
                .setSelfHostedSloMet(sh == null ? null : sh.sloMet())
                .setJPerToken(j == null ? null : j.central())
                .setJPerTokenLow(j == null ? null : j.low())
                .setJPerTokenHigh(j == null ? null : j.high())
                .setJPerCorrect(jPerCorrect)
                .setKwhPerMtok(kwh).setGco2PerMtok(gco2)
                .setFidelity(fid == null ? null : fid.getFidelity())
                .setFidelityStatus(fid == null ? "unknown" : fid.getStatus())
                .setFidelityPrompts(fid == null ? 0 : fid.getPrompts())
                .setFidelityNoiseFloor(fid != null && fid.getNoiseFloor() != null ? fid.getNoiseFloor() : noiseFloor)
                .setFidelityMethod(fid == null ? EndpointFidelity.SKL : fid.getMethod())
                .setFidelityPValue(fid == null ? null : fid.getSampleTestPValue())
                .setFidelityMmd2(fid == null ? null : fid.getSampleTestMmd2())
                .setFidelityEndpointSamples(fid == null ? 0 : fid.getSampleTestEndpointSamples())
                .setFidelityReferenceSamples(fid == null ? 0 : fid.getSampleTestReferenceSamples())
                .setEffectiveContextTokens(s.getEffectiveContextTokens())
                .setAggregateOutputTps(p.getOutputTpsP50() == null || s.getEnergy() == null
                        || s.getEnergy().getStreamsPerReplica() <= 0 ? null
                        : p.getOutputTpsP50() * s.getEnergy().getStreamsPerReplica())
                .build();
    }
}
