package dev.tokenarena.scoring;

import com.datadoghq.sketch.ddsketch.DDSketch;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ConcurrencyStats;
import dev.tokenarena.scoring.avro.ProbeCellAgg;
import dev.tokenarena.scoring.avro.ProbeConcurrencyAgg;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import dev.tokenarena.scoring.avro.RegionScenarioStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The probe figures of one endpoint over some span of time, as live DDSketches: counts, and
 * sketches of TTFT, TTFV, end-to-end latency, TPOT and output speed (and TTFT per region).
 * Mutable on purpose: the windowing adds every probe to one of these and merges them into window
 * figures without re-encoding, which is where the old per-window aggregate spent its time.
 *
 * <p>Every kind counts for the success rate (an endpoint that fails needle or canary requests is
 * unreliable too); only OK timing probes feed the sketches, because needle and canary prompts
 * have other input lengths and would mix populations.
 */
final class ProbeSketches {

    static final String TIMING = "timing";
    static final String OK = "OK";

    private long probeCount;
    private long okCount;
    private long timingCount;
    private DDSketch ttft;
    private DDSketch ttfv;
    private DDSketch e2e;
    private DDSketch tpot;
    private DDSketch outputTps;
    // TreeMap: region order is part of the encoded bytes, and replays must be byte-identical
    private final Map<String, DDSketch> ttftByRegion = new TreeMap<>();
    private final Map<String, Cell> byCell = new TreeMap<>();
    private final Map<Integer, Level> byConcurrency = new TreeMap<>();

    /** Probes of one region and scenario. */
    private static final class Cell {
        long probeCount;
        long okCount;
        DDSketch ttft;
        DDSketch tpot;
        DDSketch outputTps;
        /**
         * The stored form while unchanged (null after any change). Why: a probe changes one cell
         * of its bucket, and the bucket is written per probe; re-encoding every cell's sketches
         * on each write was most of that write. Avro reads the sketches' buffers without moving them.
         */
        ProbeCellAgg encoded;

        ProbeCellAgg encoded() {
            if (encoded == null) {
                encoded = ProbeCellAgg.newBuilder().setProbeCount(probeCount).setOkCount(okCount)
                        .setTtftMs(encode(ttft)).setTpotMs(encode(tpot)).setOutputTps(encode(outputTps)).build();
            }
            return encoded;
        }

        void merge(Cell o) {
            encoded = null;
            probeCount += o.probeCount;
            okCount += o.okCount;
            ttft = merged(ttft, o.ttft);
            tpot = merged(tpot, o.tpot);
            outputTps = merged(outputTps, o.outputTps);
        }
    }

    /** OK closed-loop timing probes of one concurrency level. */
    private static final class Level {
        long okCount;
        long outputTokensSum;
        double e2eMsSum;
        DDSketch ttft;
        DDSketch outputTps;
        /** The stored form while unchanged (null after any change), as {@link Cell#encoded}. */
        ProbeConcurrencyAgg encoded;

        ProbeConcurrencyAgg encoded() {
            if (encoded == null) {
                encoded = ProbeConcurrencyAgg.newBuilder().setOkCount(okCount).setOutputTokensSum(outputTokensSum)
                        .setE2eMsSum(e2eMsSum).setTtftMs(encode(ttft)).setOutputTps(encode(outputTps)).build();
            }
            return encoded;
        }

        void merge(Level o) {
            encoded = null;
            okCount += o.okCount;
            outputTokensSum += o.outputTokensSum;
            e2eMsSum += o.e2eMsSum;
            ttft = merged(ttft, o.ttft);
            outputTps = merged(outputTps, o.outputTps);
        }
    }

    /** An empty aggregate. */
    ProbeSketches() {
    }

    /** Adds one probe result. */
    void add(ProbeResult r) {
        probeCount++;
        boolean ok = OK.equals(r.getOutcome());
        Cell cell = byCell.computeIfAbsent(cellKey(r.getRegion(), r.getScenario()), k -> new Cell());
        cell.encoded = null;
        cell.probeCount++;
        if (ok) {
            okCount++;
            cell.okCount++;
            cell.ttft = accept(cell.ttft, r.getTtftMs());
            cell.tpot = accept(cell.tpot, r.getTpotMs());
            cell.outputTps = accept(cell.outputTps, r.getOutputTps());
        }
        if (!ok || !TIMING.equals(r.getKind())) {
            return;
        }
        if (isClosedLoop(r.getScenario(), r.getConcurrency())) {
            Level level = byConcurrency.computeIfAbsent(r.getConcurrency(), c -> new Level());
            level.encoded = null;
            level.okCount++;
            level.outputTokensSum += r.getOutputTokens();
            level.e2eMsSum += r.getE2eMs();
            level.ttft = accept(level.ttft, r.getTtftMs());
            level.outputTps = accept(level.outputTps, r.getOutputTps());
        }
        timingCount++;
        e2e = accept(e2e, r.getE2eMs());
        if (r.getTtftMs() != null) {
            ttft = accept(ttft, r.getTtftMs());
            ttftByRegion.put(r.getRegion(), accept(ttftByRegion.get(r.getRegion()), r.getTtftMs()));
        }
        ttfv = accept(ttfv, r.getTtfvMs());
        tpot = accept(tpot, r.getTpotMs());
        outputTps = accept(outputTps, r.getOutputTps());
    }

    /** Adds everything of another aggregate to this one (the other is left as it is). */
    ProbeSketches merge(ProbeSketches other) {
        if (other == null) {
            return this;
        }
        probeCount += other.probeCount;
        okCount += other.okCount;
        timingCount += other.timingCount;
        ttft = merged(ttft, other.ttft);
        ttfv = merged(ttfv, other.ttfv);
        e2e = merged(e2e, other.e2e);
        tpot = merged(tpot, other.tpot);
        outputTps = merged(outputTps, other.outputTps);
        other.ttftByRegion.forEach((region, s) -> ttftByRegion.put(region, merged(ttftByRegion.get(region), s)));
        other.byCell.forEach((k, c) -> byCell.computeIfAbsent(k, x -> new Cell()).merge(c));
        other.byConcurrency.forEach((k, l) -> byConcurrency.computeIfAbsent(k, x -> new Level()).merge(l));
        return this;
    }

    /**
     * Empties this aggregate for reuse as a scratch aggregate. The sketches are dropped, not
     * cleared: a cleared DDSketch keeps its (often 2,048-bin) array, and the next merge into it
     * re-centres that array, zero-filling up to half of it, which was the largest single cost of
     * an emission; the first merge into a dropped sketch copies the other one's array instead (see
     * {@link #merged}). Emptied cells and levels stay in the maps and are left out of {@link #stats}.
     */
    ProbeSketches clear() {
        probeCount = 0;
        okCount = 0;
        timingCount = 0;
        ttft = null;
        ttfv = null;
        e2e = null;
        tpot = null;
        outputTps = null;
        ttftByRegion.clear();
        byCell.values().forEach(c -> {
            c.encoded = null;
            c.probeCount = 0;
            c.okCount = 0;
            c.ttft = null;
            c.tpot = null;
            c.outputTps = null;
        });
        byConcurrency.values().forEach(l -> {
            l.encoded = null;
            l.okCount = 0;
            l.outputTokensSum = 0;
            l.e2eMsSum = 0;
            l.ttft = null;
            l.outputTps = null;
        });
        return this;
    }

    long probeCount() {
        return probeCount;
    }

    /** The stored form (DDSketch's own encoding per sketch). */
    ProbeWindowAgg toAvro() {
        Map<String, ByteBuffer> byRegion = new LinkedHashMap<>();
        ttftByRegion.forEach((region, s) -> byRegion.put(region, encode(s)));
        Map<String, ProbeCellAgg> cells = new LinkedHashMap<>();
        byCell.forEach((k, c) -> cells.put(k, c.encoded()));
        Map<String, ProbeConcurrencyAgg> levels = new LinkedHashMap<>();
        byConcurrency.forEach((k, l) -> levels.put(Integer.toString(k), l.encoded()));
        return ProbeWindowAgg.newBuilder()
                .setProbeCount(probeCount).setOkCount(okCount).setTimingCount(timingCount)
                .setTtftMs(encode(ttft)).setTtfvMs(encode(ttfv)).setE2eMs(encode(e2e))
                .setTpotMs(encode(tpot)).setOutputTps(encode(outputTps))
                .setTtftMsByRegion(byRegion)
                .setByCell(cells)
                .setByConcurrency(levels)
                .build();
    }

    /** Reads the stored form; null reads as empty. */
    static ProbeSketches fromAvro(ProbeWindowAgg agg) {
        ProbeSketches s = new ProbeSketches();
        if (agg == null) {
            return s;
        }
        s.probeCount = agg.getProbeCount();
        s.okCount = agg.getOkCount();
        s.timingCount = agg.getTimingCount();
        s.ttft = decode(agg.getTtftMs());
        s.ttfv = decode(agg.getTtfvMs());
        s.e2e = decode(agg.getE2eMs());
        s.tpot = decode(agg.getTpotMs());
        s.outputTps = decode(agg.getOutputTps());
        agg.getTtftMsByRegion().forEach((region, bytes) -> {
            DDSketch d = decode(bytes);
            if (d != null) {
                s.ttftByRegion.put(region, d);
            }
        });
        agg.getByCell().forEach((k, a) -> {
            Cell c = new Cell();
            c.probeCount = a.getProbeCount();
            c.okCount = a.getOkCount();
            c.ttft = decode(a.getTtftMs());
            c.tpot = decode(a.getTpotMs());
            c.outputTps = decode(a.getOutputTps());
            s.byCell.put(k.toString(), c);
        });
        agg.getByConcurrency().forEach((k, a) -> {
            Level l = new Level();
            l.okCount = a.getOkCount();
            l.outputTokensSum = a.getOutputTokensSum();
            l.e2eMsSum = a.getE2eMsSum();
            l.ttft = decode(a.getTtftMs());
            l.outputTps = decode(a.getOutputTps());
            s.byConcurrency.put(Integer.parseInt(k.toString()), l);
        });
        return s;
    }

    /** The figures of the window [windowStartMs, windowEndMs) this aggregate covers. */
    ProbeStats stats(long windowStartMs, long windowEndMs) {
        Map<String, Double> byRegion = new LinkedHashMap<>();
        ttftByRegion.forEach((region, s) -> {
            Double p50 = quantile(s, 0.5);
            if (p50 != null) {
                byRegion.put(region, p50);
            }
        });
        return ProbeStats.newBuilder()
                .setWindowStartMs(windowStartMs).setWindowEndMs(windowEndMs)
                .setProbeCount(probeCount).setOkCount(okCount)
                .setSuccessRate(probeCount == 0 ? 0.0 : (double) okCount / probeCount)
                .setTimingCount(timingCount)
                .setTtftMsP50(quantile(ttft, 0.5))
                .setTtftMsP90(quantile(ttft, 0.9))
                .setTtftMsP99(quantile(ttft, 0.99))
                .setTtfvMsP50(quantile(ttfv, 0.5))
                .setE2eMsP50(quantile(e2e, 0.5))
                .setTpotMsP50(quantile(tpot, 0.5))
                .setOutputTpsP50(quantile(outputTps, 0.5))
                .setTtftMsP50ByRegion(byRegion)
                .setByRegionScenario(regionScenarioStats())
                .setByConcurrency(concurrencyStats())
                .build();
    }

    private List<RegionScenarioStats> regionScenarioStats() {
        List<RegionScenarioStats> out = new ArrayList<>();
        byCell.forEach((k, c) -> {
            if (c.probeCount == 0) {
                return; // emptied by clear()
            }
            int at = k.indexOf(ScoringTopology.KEY_SEPARATOR);
            out.add(RegionScenarioStats.newBuilder()
                    .setRegion(k.substring(0, at)).setScenario(k.substring(at + 1))
                    .setProbeCount(c.probeCount).setOkCount(c.okCount)
                    .setSuccessRate(c.probeCount == 0 ? 0.0 : (double) c.okCount / c.probeCount)
                    .setTtftMsP50(quantile(c.ttft, 0.5)).setTtftMsP99(quantile(c.ttft, 0.99))
                    .setTpotMsP50(quantile(c.tpot, 0.5)).setOutputTpsP50(quantile(c.outputTps, 0.5))
                    .build());
        });
        return out;
    }

    private List<ConcurrencyStats> concurrencyStats() {
        List<ConcurrencyStats> out = new ArrayList<>();
        byConcurrency.forEach((c, l) -> {
            if (l.okCount > 0) { // emptied levels (clear()) are left out
                out.add(ConcurrencyStats.newBuilder()
                        .setConcurrency(c).setOkCount(l.okCount).setOutputTokensSum(l.outputTokensSum)
                        .setE2eMsSum(l.e2eMsSum).setTtftMsP90(quantile(l.ttft, 0.9))
                        .setOutputTpsP50(quantile(l.outputTps, 0.5)).build());
            }
        });
        return out;
    }

    /** Region and scenario in one map key; TreeMap order is then region, then scenario. */
    private static String cellKey(String region, String scenario) {
        return region + ScoringTopology.KEY_SEPARATOR + scenario;
    }

    /**
     * Closed-loop timing scenarios end in -c followed by their concurrency (timing-in1k-c10);
     * open-loop ones (-r&lt;rate&gt;) report what was in flight at arrival, not a held level.
     */
    static boolean isClosedLoop(String scenario, int concurrency) {
        return scenario != null && scenario.endsWith("-c" + concurrency);
    }

    /** The figures of a stored aggregate (the query API's history view). */
    static ProbeStats stats(long windowStartMs, long windowEndMs, ProbeWindowAgg agg) {
        return fromAvro(agg).stats(windowStartMs, windowEndMs);
    }

    private static DDSketch accept(DDSketch s, Double value) {
        if (value == null) {
            return s;
        }
        DDSketch out = s == null ? Sketches.empty() : s;
        out.accept(value);
        return out;
    }

    private static DDSketch merged(DDSketch mine, DDSketch other) {
        if (other == null || other.isEmpty()) {
            return mine;
        }
        if (mine == null || mine.isEmpty()) {
            return other.copy(); // an array copy; merging into an empty sketch would re-centre it
        }
        mine.mergeWith(other);
        return mine;
    }

    private static ByteBuffer encode(DDSketch s) {
        return s == null || s.isEmpty() ? ByteBuffer.allocate(0) : Sketches.encode(s);
    }

    private static DDSketch decode(ByteBuffer bytes) {
        return bytes == null || !bytes.hasRemaining() ? null : Sketches.decode(bytes);
    }

    private static Double quantile(DDSketch s, double q) {
        return s == null || s.isEmpty() ? null : s.getValueAtQuantile(q);
    }
}
