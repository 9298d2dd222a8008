package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds probe results to a window aggregate and turns the aggregate into stats. Every kind counts
 * for the success rate (an endpoint that fails needle or canary requests is unreliable too); only
 * OK timing probes feed the latency and speed sketches, because needle and canary prompts have
 * other input lengths and would mix populations.
 */
final class ProbeAggregation {

    static final String TIMING = "timing";
    static final String OK = "OK";

    private ProbeAggregation() {
    }

    static ProbeWindowAgg empty() {
        return ProbeWindowAgg.newBuilder().build();
    }

    static ProbeWindowAgg add(ProbeResult r, ProbeWindowAgg agg) {
        ProbeWindowAgg.Builder b = ProbeWindowAgg.newBuilder(agg).setProbeCount(agg.getProbeCount() + 1);
        boolean ok = OK.equals(r.getOutcome());
        if (ok) {
            b.setOkCount(agg.getOkCount() + 1);
        }
        if (ok && TIMING.equals(r.getKind())) {
            b.setTimingCount(agg.getTimingCount() + 1);
            b.setE2eMs(Sketches.add(agg.getE2eMs(), r.getE2eMs()));
            if (r.getTtftMs() != null) {
                b.setTtftMs(Sketches.add(agg.getTtftMs(), r.getTtftMs()));
                Map<String, ByteBuffer> byRegion = new LinkedHashMap<>(agg.getTtftMsByRegion());
                byRegion.put(r.getRegion(), Sketches.add(byRegion.get(r.getRegion()), r.getTtftMs()));
                b.setTtftMsByRegion(byRegion);
            }
            if (r.getTtfvMs() != null) {
                b.setTtfvMs(Sketches.add(agg.getTtfvMs(), r.getTtfvMs()));
            }
            if (r.getTpotMs() != null) {
                b.setTpotMs(Sketches.add(agg.getTpotMs(), r.getTpotMs()));
            }
            if (r.getOutputTps() != null) {
                b.setOutputTps(Sketches.add(agg.getOutputTps(), r.getOutputTps()));
            }
        }
        return b.build();
    }

    static ProbeStats stats(long windowStartMs, long windowEndMs, ProbeWindowAgg agg) {
        Map<String, Double> byRegion = new TreeMap<>();
        agg.getTtftMsByRegion().forEach((region, sketch) -> {
            Double p50 = Sketches.quantile(sketch, 0.5);
            if (p50 != null) {
                byRegion.put(region, p50);
            }
        });
        return ProbeStats.newBuilder()
                .setWindowStartMs(windowStartMs).setWindowEndMs(windowEndMs)
                .setProbeCount(agg.getProbeCount()).setOkCount(agg.getOkCount())
                .setSuccessRate(agg.getProbeCount() == 0 ? 0.0 : (double) agg.getOkCount() / agg.getProbeCount())
                .setTimingCount(agg.getTimingCount())
                .setTtftMsP50(Sketches.quantile(agg.getTtftMs(), 0.5))
                .setTtftMsP90(Sketches.quantile(agg.getTtftMs(), 0.9))
                .setTtftMsP99(Sketches.quantile(agg.getTtftMs(), 0.99))
                .setTtfvMsP50(Sketches.quantile(agg.getTtfvMs(), 0.5))
                .setE2eMsP50(Sketches.quantile(agg.getE2eMs(), 0.5))
                .setTpotMsP50(Sketches.quantile(agg.getTpotMs(), 0.5))
                .setOutputTpsP50(Sketches.quantile(agg.getOutputTps(), 0.5))
                .setTtftMsP50ByRegion(new LinkedHashMap<>(byRegion))
                .build();
    }
}
