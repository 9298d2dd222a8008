package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.scoring.avro.EndpointSummary;
import dev.tokenarena.scoring.avro.EnergyInfo;
import dev.tokenarena.scoring.avro.FidelityStats;
import dev.tokenarena.scoring.avro.PriceInfo;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.QualityStats;

/** Joiners that build an {@link EndpointSummary} one table at a time; each returns a copy. */
final class SummaryJoins {

    private SummaryJoins() {
    }

    static EndpointSummary fromEndpoint(Endpoint e) {
        return EndpointSummary.newBuilder().setEndpointId(e.getEndpointId()).setProvider(e.getProvider())
                .setModel(e.getModel()).setSku(e.getSku()).setPrecision(e.getPrecision()).setRegion(e.getRegion())
                .setGridZone(e.getGridZone()).setReference(e.getReference())
                .setSelfHostedGpuHourUsd(e.getSelfHostedGpuHourUsd()).setSelfHostedGpus(e.getSelfHostedGpus()).build();
    }

    static EndpointSummary withProbe(EndpointSummary s, ProbeStats p) {
        return EndpointSummary.newBuilder(s).setProbe(p).build();
    }

    /** Sets (or, with null stats, removes) the probe stats of a further window label. */
    static EndpointSummary withProbeWindow(EndpointSummary s, String label, ProbeStats p) {
        java.util.Map<String, ProbeStats> byWindow = new java.util.TreeMap<>(s.getProbeByWindow());
        if (p == null) {
            byWindow.remove(label);
        } else {
            byWindow.put(label, p);
        }
        return EndpointSummary.newBuilder(s).setProbeByWindow(byWindow).build();
    }

    static EndpointSummary withPrice(EndpointSummary s, PriceQuote p) {
        return EndpointSummary.newBuilder(s).setPrice(p == null ? null
                : new PriceInfo(p.getInputUsdPerMtok(), p.getOutputUsdPerMtok(), p.getBatchDiscount(),
                p.getCachedInputUsdPerMtok())).build();
    }

    static EndpointSummary withEnergy(EndpointSummary s, EnergyProfile e) {
        return EndpointSummary.newBuilder(s).setEnergy(e == null ? null
                : new EnergyInfo(e.getTdpW(), e.getAcceleratorCount(), e.getUtilization(), e.getPue(), e.getSparsity(),
                e.getStreamsPerReplica(), e.getAssumedFields().contains("utilization"),
                e.getAssumedFields().contains("pue"))).build();
    }

    static EndpointSummary withQuality(EndpointSummary s, QualityStats q) {
        return EndpointSummary.newBuilder(s).setQuality(q).build();
    }

    static EndpointSummary withFidelity(EndpointSummary s, FidelityStats f) {
        return EndpointSummary.newBuilder(s).setFidelity(f).build();
    }

    static EndpointSummary withEffectiveContext(EndpointSummary s, Long tokens) {
        return EndpointSummary.newBuilder(s).setEffectiveContextTokens(tokens).build();
    }

    static EndpointSummary withGrid(EndpointSummary s, GridIntensity g) {
        return EndpointSummary.newBuilder(s).setGridGco2PerKwh(g == null ? null : g.getGco2PerKwh()).build();
    }
}
