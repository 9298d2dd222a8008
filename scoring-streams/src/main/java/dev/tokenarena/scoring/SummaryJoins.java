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

/**
 * Joiners that build an {@link EndpointSummary} one table at a time; each returns a new summary
 * and leaves its input as it was. The copies are shallow: nested records are shared between the
 * versions of a summary, which is safe because nothing changes a nested record once it is built
 * (each joiner replaces a whole field). A builder from a summary would deep-copy every nested
 * record and map, eight times per summary update: 12 % of a replay's CPU.
 */
final class SummaryJoins {

    private SummaryJoins() {
    }

    /** A shallow copy (see the class comment). */
    static EndpointSummary copy(EndpointSummary s) {
        EndpointSummary c = new EndpointSummary();
        int fields = EndpointSummary.SCHEMA$.getFields().size();
        for (int i = 0; i < fields; i++) {
            c.put(i, s.get(i));
        }
        return c;
    }

    static EndpointSummary fromEndpoint(Endpoint e) {
        return EndpointSummary.newBuilder().setEndpointId(e.getEndpointId()).setProvider(e.getProvider())
                .setModel(e.getModel()).setSku(e.getSku()).setPrecision(e.getPrecision()).setRegion(e.getRegion())
                .setGridZone(e.getGridZone()).setReference(e.getReference())
                .setSelfHostedGpuHourUsd(e.getSelfHostedGpuHourUsd()).setSelfHostedGpus(e.getSelfHostedGpus()).build();
    }

    static EndpointSummary withProbe(EndpointSummary s, ProbeStats p) {
        EndpointSummary c = copy(s);
        c.setProbe(p);
        return c;
    }

    /** Sets (or, with null stats, removes) the probe stats of a further window label. */
    static EndpointSummary withProbeWindow(EndpointSummary s, String label, ProbeStats p) {
        java.util.Map<String, ProbeStats> byWindow = new java.util.TreeMap<>(s.getProbeByWindow());
        if (p == null) {
            byWindow.remove(label);
        } else {
            byWindow.put(label, p);
        }
        EndpointSummary c = copy(s);
        c.setProbeByWindow(byWindow);
        return c;
    }

    static EndpointSummary withPrice(EndpointSummary s, PriceQuote p) {
        EndpointSummary c = copy(s);
        c.setPrice(p == null ? null
                : new PriceInfo(p.getInputUsdPerMtok(), p.getOutputUsdPerMtok(), p.getBatchDiscount(),
                p.getCachedInputUsdPerMtok()));
        return c;
    }

    static EndpointSummary withEnergy(EndpointSummary s, EnergyProfile e) {
        EndpointSummary c = copy(s);
        c.setEnergy(e == null ? null
                : new EnergyInfo(e.getTdpW(), e.getAcceleratorCount(), e.getUtilization(), e.getPue(), e.getSparsity(),
                e.getStreamsPerReplica(), e.getAssumedFields().contains("utilization"),
                e.getAssumedFields().contains("pue")));
        return c;
    }

    static EndpointSummary withQuality(EndpointSummary s, QualityStats q) {
        EndpointSummary c = copy(s);
        c.setQuality(q);
        return c;
    }

    static EndpointSummary withFidelity(EndpointSummary s, FidelityStats f) {
        EndpointSummary c = copy(s);
        c.setFidelity(f);
        return c;
    }

    static EndpointSummary withEffectiveContext(EndpointSummary s, Long tokens) {
        EndpointSummary c = copy(s);
        c.setEffectiveContextTokens(tokens);
        return c;
    }

    static EndpointSummary withGrid(EndpointSummary s, GridIntensity g) {
        EndpointSummary c = copy(s);
        c.setGridGco2PerKwh(g == null ? null : g.getGco2PerKwh());
        return c;
    }
}
