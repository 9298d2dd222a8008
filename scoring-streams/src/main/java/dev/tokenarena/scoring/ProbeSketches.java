package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ConcurrencyStats;
import dev.tokenarena.scoring.avro.ProbeCellAgg;
import dev.tokenarena.scoring.avro.ProbeConcurrencyAgg;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import dev.tokenarena.scoring.avro.RegionScenarioStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The probe figures of one endpoint over some span of time: counts, and histograms
 * ({@link CountHistogram}, DDSketch's bins) of TTFT, TTFV, end-to-end latency, TPOT and output
 * speed (and TTFT per region). Mutable on purpose: the windowing adds every probe to a bucket and
 * to the running figures of each window, and takes a bucket out of a window's figures when the
 * window moves past it ({@link #subtract}), without re-encoding or re-merging.
 *
 * <p>Every kind counts for the success rate (an endpoint that fails needle or canary requests is
 * unreliable too); only OK timing probes feed the histograms, because needle and canary prompts
 * have other input lengths and would mix populations.
 *
 * <p>Exactness: counts are longs, so a window's figures do not depend on the order buckets were
 * added and subtracted in. The only double sum, a concurrency level's {@code e2eMsSum}, may differ
 * in the last bits from a plain sum of the window's probes (it is exact while the latencies are
 * whole or binary-fraction milliseconds); the order depends only on the input, so a replay of the
 * same input is byte-identical.
 */
final class ProbeSketches {

    static final String TIMING = "timing";
    static final String OK = "OK";
    /** The index of an absent value in {@link Entry}. */
    private static final int ABSENT = Integer.MAX_VALUE;

    private long probeCount;
    private long okCount;
    private long timingCount;
    private CountHistogram ttft;
    private CountHistogram ttfv;
    private CountHistogram e2e;
    private CountHistogram tpot;
    private CountHistogram outputTps;
    // Hash maps, looked up by every probe added (a tree map's string comparisons were a tenth of
    // the probe path); read in key order wherever order reaches bytes (sorted()), so that stored
    // and emitted forms do not depend on the order keys arrived in
    private final Map<String, CountHistogram> ttftByRegion = new HashMap<>();
    private final Map<String, Cell> byCell = new HashMap<>();
    private final Map<Integer, Level> byConcurrency = new HashMap<>();

    /**
     * One probe result prepared for adding: its histogram bins computed once, as it goes to its
     * bucket and to the running figures of every window (a logarithm per value and histogram otherwise).
     */
    static final class Entry {
        final boolean ok;
        final boolean timing;
        final String region;
        final String cellKey;
        /** The concurrency level for a closed-loop timing probe, else null. */
        final Integer level;
        final int ttft;
        final int ttfv;
        final int e2e;
        final int tpot;
        final int outputTps;
        final long outputTokens;
        final double e2eMs;

        private Entry(ProbeResult r) {
            ok = OK.equals(r.getOutcome());
            timing = ok && TIMING.equals(r.getKind());
            region = r.getRegion();
            cellKey = cellKey(r.getRegion(), r.getScenario());
            level = timing && isClosedLoop(r.getScenario(), r.getConcurrency()) ? r.getConcurrency() : null;
            ttft = index(r.getTtftMs());
            ttfv = index(r.getTtfvMs());
            e2e = index(r.getE2eMs());
            tpot = index(r.getTpotMs());
            outputTps = index(r.getOutputTps());
            outputTokens = r.getOutputTokens();
            e2eMs = r.getE2eMs();
        }

        static Entry of(ProbeResult r) {
            return new Entry(r);
        }

        private static int index(Double value) {
            return value == null ? ABSENT : CountHistogram.indexOf(value);
        }
    }

    /** Probes of one region and scenario. */
    private static final class Cell {
        long probeCount;
        long okCount;
        CountHistogram ttft;
        CountHistogram tpot;
        CountHistogram outputTps;
        /**
         * The stored form while unchanged (null after any change). Why: the probes between two
         * writes of a bucket (one commit interval) change few of its cells; re-encoding every
         * cell's histograms on each write was most of that write.
         */
        ProbeCellAgg encoded;

        ProbeCellAgg encoded() {
            if (encoded == null) {
                encoded = ProbeCellAgg.newBuilder().setProbeCount(probeCount).setOkCount(okCount)
                        .setTtftMs(encode(ttft)).setTpotMs(encode(tpot)).setOutputTps(encode(outputTps)).build();
            }
            return encoded;
        }

        void add(Cell o, int sign) {
            encoded = null;
            probeCount += sign * o.probeCount;
            okCount += sign * o.okCount;
            ttft = combined(ttft, o.ttft, sign);
            tpot = combined(tpot, o.tpot, sign);
            outputTps = combined(outputTps, o.outputTps, sign);
        }
    }

    /** OK closed-loop timing probes of one concurrency level. */
    private static final class Level {
        long okCount;
        long outputTokensSum;
        double e2eMsSum;
        CountHistogram ttft;
        CountHistogram outputTps;
        /** The stored form while unchanged (null after any change), as {@link Cell#encoded}. */
        ProbeConcurrencyAgg encoded;

        ProbeConcurrencyAgg encoded() {
            if (encoded == null) {
                encoded = ProbeConcurrencyAgg.newBuilder().setOkCount(okCount).setOutputTokensSum(outputTokensSum)
                        .setE2eMsSum(e2eMsSum).setTtftMs(encode(ttft)).setOutputTps(encode(outputTps)).build();
            }
            return encoded;
        }

        void add(Level o, int sign) {
            encoded = null;
            okCount += sign * o.okCount;
            outputTokensSum += sign * o.outputTokensSum;
            // a level emptied by subtraction sums to exactly zero, not to a rounding residue
            e2eMsSum = okCount == 0 ? 0.0 : e2eMsSum + sign * o.e2eMsSum;
            ttft = combined(ttft, o.ttft, sign);
            outputTps = combined(outputTps, o.outputTps, sign);
        }
    }

    /** An empty aggregate. */
    ProbeSketches() {
    }

    /** Adds one probe result. */
    void add(ProbeResult r) {
        add(Entry.of(r));
    }

    /** Adds one prepared probe result. */
    void add(Entry e) {
        probeCount++;
        Cell cell = byCell.computeIfAbsent(e.cellKey, k -> new Cell());
        cell.encoded = null;
        cell.probeCount++;
        if (e.ok) {
            okCount++;
            cell.okCount++;
            cell.ttft = accept(cell.ttft, e.ttft);
            cell.tpot = accept(cell.tpot, e.tpot);
            cell.outputTps = accept(cell.outputTps, e.outputTps);
        }
        if (!e.timing) {
            return;
        }
        if (e.level != null) {
            Level level = byConcurrency.computeIfAbsent(e.level, c -> new Level());
            level.encoded = null;
            level.okCount++;
            level.outputTokensSum += e.outputTokens;
            level.e2eMsSum += e.e2eMs;
            level.ttft = accept(level.ttft, e.ttft);
            level.outputTps = accept(level.outputTps, e.outputTps);
        }
        timingCount++;
        e2e = accept(e2e, e.e2e);
        if (e.ttft != ABSENT) {
            ttft = accept(ttft, e.ttft);
            ttftByRegion.put(e.region, accept(ttftByRegion.get(e.region), e.ttft));
        }
        ttfv = accept(ttfv, e.ttfv);
        tpot = accept(tpot, e.tpot);
        outputTps = accept(outputTps, e.outputTps);
    }

    /** Adds everything of another aggregate to this one (the other is left as it is). */
    ProbeSketches merge(ProbeSketches other) {
        return add(other, 1);
    }

    /**
     * Takes everything of another aggregate out of this one, which must hold it (a window's
     * figures and a bucket they hold); the other is left as it is. Cells, levels and regions left
     * empty stay in the maps and are left out of {@link #stats}.
     */
    ProbeSketches subtract(ProbeSketches other) {
        return add(other, -1);
    }

    private ProbeSketches add(ProbeSketches other, int sign) {
        if (other == null) {
            return this;
        }
        probeCount += sign * other.probeCount;
        okCount += sign * other.okCount;
        timingCount += sign * other.timingCount;
        ttft = combined(ttft, other.ttft, sign);
        ttfv = combined(ttfv, other.ttfv, sign);
        e2e = combined(e2e, other.e2e, sign);
        tpot = combined(tpot, other.tpot, sign);
        outputTps = combined(outputTps, other.outputTps, sign);
        other.ttftByRegion.forEach((region, s) -> ttftByRegion.put(region, combined(ttftByRegion.get(region), s, sign)));
        other.byCell.forEach((k, c) -> byCell.computeIfAbsent(k, x -> new Cell()).add(c, sign));
        other.byConcurrency.forEach((k, l) -> byConcurrency.computeIfAbsent(k, x -> new Level()).add(l, sign));
        return this;
    }

    long probeCount() {
        return probeCount;
    }

    /** The stored form (DDSketch's encoding per histogram; empty cells and levels left out). */
    ProbeWindowAgg toAvro() {
        Map<String, ByteBuffer> byRegion = new LinkedHashMap<>();
        sorted(ttftByRegion).forEach((region, h) -> {
            if (!h.isEmpty()) {
                byRegion.put(region, encode(h));
            }
        });
        Map<String, ProbeCellAgg> cells = new LinkedHashMap<>();
        sorted(byCell).forEach((k, c) -> {
            if (c.probeCount != 0) {
                cells.put(k, c.encoded());
            }
        });
        Map<String, ProbeConcurrencyAgg> levels = new LinkedHashMap<>();
        sorted(byConcurrency).forEach((k, l) -> {
            if (l.okCount != 0) {
                levels.put(Integer.toString(k), l.encoded());
            }
        });
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
            CountHistogram d = decode(bytes);
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
        sorted(ttftByRegion).forEach((region, s) -> {
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
        sorted(byCell).forEach((k, c) -> {
            if (c.probeCount == 0) {
                return; // emptied by a subtraction
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
        sorted(byConcurrency).forEach((c, l) -> {
            if (l.okCount > 0) { // levels emptied by a subtraction are left out
                out.add(ConcurrencyStats.newBuilder()
                        .setConcurrency(c).setOkCount(l.okCount).setOutputTokensSum(l.outputTokensSum)
                        .setE2eMsSum(l.e2eMsSum).setTtftMsP90(quantile(l.ttft, 0.9))
                        .setOutputTpsP50(quantile(l.outputTps, 0.5)).build());
            }
        });
        return out;
    }

    private static <K extends Comparable<K>, V> Map<K, V> sorted(Map<K, V> map) {
        return map.size() <= 1 ? map : new TreeMap<>(map);
    }

    /** Region and scenario in one map key; key order is then region, then scenario. */
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

    private static CountHistogram accept(CountHistogram h, int index) {
        if (index == ABSENT) {
            return h;
        }
        CountHistogram out = h == null ? new CountHistogram() : h;
        out.addIndex(index, 1);
        return out;
    }

    private static CountHistogram combined(CountHistogram mine, CountHistogram other, int sign) {
        if (other == null || other.isEmpty()) {
            return mine;
        }
        if (mine == null) {
            if (sign < 0) {
                throw new IllegalStateException("subtracting figures an aggregate does not hold");
            }
            return other.copy();
        }
        mine.add(other, sign);
        return mine;
    }

    private static ByteBuffer encode(CountHistogram h) {
        return h == null ? ByteBuffer.allocate(0) : h.encode();
    }

    private static CountHistogram decode(ByteBuffer bytes) {
        return bytes == null || !bytes.hasRemaining() ? null : CountHistogram.decode(bytes);
    }

    private static Double quantile(CountHistogram h, double q) {
        return h == null ? null : h.quantile(q);
    }
}
