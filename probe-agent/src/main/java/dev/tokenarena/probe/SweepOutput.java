package dev.tokenarena.probe;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** A sweep report as JSON, CSV or a terminal table. Field names carry their units. */
final class SweepOutput {

    static final List<String> COLUMNS = List.of("step", "load", "requests", "failed", "dropped", "realized_rps", "seconds",
            "output_tokens", "throughput_tps", "interactivity_tps_p50", "ttft_ms_p50", "ttft_ms_p99", "tpot_ms_p50",
            "tpot_ms_p99", "error_rate", "usd_per_mtok", "gain", "meets_slo", "cheapest_meeting_slo");

    private SweepOutput() {
    }

    static String json(Sweep.Report r, String endpoint, String model, int inputTokens, int maxTokens) {
        SweepSettings s = r.settings();
        ObjectNode root = StreamParser.JSON.createObjectNode();
        root.put("endpoint", endpoint);
        root.put("model", model);
        root.put("mode", s.mode() == SweepSettings.Mode.CONCURRENCY ? "concurrency" : "rate");
        root.put("load_unit", s.mode() == SweepSettings.Mode.CONCURRENCY ? "requests_in_flight" : "requests_per_second");
        root.put("input_tokens", inputTokens);
        root.put("max_tokens", maxTokens);
        root.put("step_seconds", s.stepNanos() / 1e9);
        root.put("min_gain", s.minGain());
        root.put("max_error_rate", s.maxErrorRate());
        putNullable(root, "gpu_hour_usd", s.gpuHourUsd());
        root.put("gpus", s.gpus());
        putNullable(root, "slo_ttft_ms_p99", s.sloTtftMs());
        putNullable(root, "slo_tpot_ms_p99", s.sloTpotMs());
        root.put("stop_reason", r.stopReason());
        if (r.bestStep() == null) {
            root.putNull("cheapest_step_meeting_slo");
        } else {
            root.put("cheapest_step_meeting_slo", r.bestStep());
        }
        ArrayNode steps = root.putArray("steps");
        for (SweepStep st : r.steps()) {
            ObjectNode o = steps.addObject();
            List<Object> values = row(st, r.bestStep());
            for (int i = 0; i < COLUMNS.size(); i++) {
                Object v = values.get(i);
                String k = COLUMNS.get(i);
                if (v == null) {
                    o.putNull(k);
                } else if (v instanceof Integer n) {
                    o.put(k, n);
                } else if (v instanceof Long n) {
                    o.put(k, n);
                } else if (v instanceof Double d) {
                    o.put(k, round(d));
                } else {
                    o.put(k, (Boolean) v);
                }
            }
        }
        try {
            return StreamParser.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the sweep report as JSON", e);
        }
    }

    static String csv(Sweep.Report r) {
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (SweepStep st : r.steps()) {
            List<Object> values = row(st, r.bestStep());
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object v = values.get(i);
                sb.append(v == null ? "" : v instanceof Double d ? format(d) : v.toString());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String table(Sweep.Report r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4s %8s %8s %6s %11s %10s %9s %9s %9s %9s %7s %9s %s%n",
                "step", "load", "requests", "errors", "tok/s", "tok/s/user", "ttft p50", "ttft p99", "tpot p50",
                "tpot p99", "err %", "$/Mtok", ""));
        for (SweepStep st : r.steps()) {
            sb.append(String.format(Locale.ROOT, "%4d %8s %8d %6d %11.1f %10s %9s %9s %9s %9s %7.2f %9s %s%n", st.index(),
                    format(st.load()), st.requests(), st.failed() + st.dropped(), st.throughputTps(),
                    opt(st.interactivityTps()), opt(st.ttftP50Ms()), opt(st.ttftP99Ms()), opt(st.tpotP50Ms()),
                    opt(st.tpotP99Ms()), 100 * st.errorRate(), opt(st.usdPerMtok()),
                    r.bestStep() != null && r.bestStep() == st.index() ? "<- cheapest meeting SLO" : st.meetsSlo() ? "meets SLO" : ""));
        }
        sb.append(r.stopReason()).append('\n');
        return sb.toString();
    }

    private static List<Object> row(SweepStep st, Integer best) {
        return java.util.Arrays.asList(st.index(), st.load(), st.requests(), st.failed(), st.dropped(), st.realizedRps(), st.seconds(),
                st.outputTokens(), st.throughputTps(), st.interactivityTps(), st.ttftP50Ms(), st.ttftP99Ms(),
                st.tpotP50Ms(), st.tpotP99Ms(), st.errorRate(), st.usdPerMtok(),
                st.gain() == null || st.gain().isInfinite() ? null : st.gain(), st.meetsSlo(),
                best != null && best == st.index());
    }

    private static void putNullable(ObjectNode o, String k, Double v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    static String format(double v) {
        return java.math.BigDecimal.valueOf(round(v)).stripTrailingZeros().toPlainString();
    }

    private static String opt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
