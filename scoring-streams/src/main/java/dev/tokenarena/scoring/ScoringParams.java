package dev.tokenarena.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The versioned scoring parameters: workload presets, fidelity thresholds, windows and energy
 * ranges. Read once from YAML (the shipped {@code scoring/presets-v1.yaml} or a file), validated
 * at load so a bad file fails at startup with the preset and field named, and immutable after.
 *
 * <p>{@link #configHash()} is the first 16 hex chars of SHA-256 over {@link #canonical()}: the
 * effective parameters (defaults filled in) as JSON with sorted keys. Hashing the effective
 * values rather than the raw bytes means comments and formatting do not change the hash, but a
 * default that changes in code does.
 */
public final class ScoringParams {

    /** The parameter file shipped in the jar. */
    public static final String DEFAULT_RESOURCE = "scoring/presets-v1.yaml";
    static final double WEIGHT_SUM_TOLERANCE = 1e-6;

    /** Weights over the five factors; they sum to 1. */
    public record Weights(double speed, double ttft, double price, double quality, double reliability) {
        public double sum() {
            return speed + ttft + price + quality + reliability;
        }
    }

    /**
     * One workload preset: input:output token ratio, weights, whether batch prices apply, and the
     * share of its input tokens served from the provider's prompt cache (priced at the cached-input
     * price), a fraction in [0, 1].
     */
    public record Preset(String name, double inputRatio, double outputRatio, boolean batchPrice, Weights weights,
                         double cachedInputShare) {
    }

    /**
     * The service level a self-hosted endpoint's price is quoted at: its $/1M tokens comes from
     * the highest-throughput closed-loop concurrency whose TTFT p90 and per-stream speed p50 meet
     * these (batch presets ignore them).
     */
    public record SelfHostedSlo(double ttftMsP90Max, double outputTpsP50Min) {
    }

    /**
     * Fidelity thresholds on F in [0, 100], and the sample-only test used when the endpoint or its
     * reference returns no logprobs.
     */
    public record Fidelity(double faithfulMin, double driftedMin, int minPrompts, double smoothingEpsilon,
                           SampleTest sampleTest) {
    }

    /**
     * The sample-only two-sample test (MMD, Hamming kernel, permutation p-value; docs/scoring.md).
     *
     * @param length           whitespace tokens compared per completion (truncated or padded)
     * @param samplesPerPrompt latest completions kept per prompt and side
     * @param permutations     label shuffles behind the p-value
     * @param alpha            p-value at or below which the test rejects
     * @param minEffect        MMD squared below which a rejection is too small to count
     * @param seed             seed of the permutations, mixed with the endpoint id
     * @param confirmations    consecutive rejections (each on a new sample) before a FIDELITY alert opens
     */
    public record SampleTest(int length, int samplesPerPrompt, int permutations, double alpha, double minEffect,
                             int seed, int confirmations) {
        CompletionMmd.Settings settings() {
            return new CompletionMmd.Settings(length, permutations, alpha, minEffect);
        }
    }

    /** Window sizes and advances, and the grace for late events. */
    public record Windows(Duration probeSize, Duration probeAdvance, Duration evalSize, Duration evalAdvance,
                          Duration grace) {
    }

    /**
     * Drift alert thresholds of the kinds other than FIDELITY. Each kind opens at one threshold
     * and resolves at a stricter one (hysteresis), so a metric hovering at the line does not flap.
     */
    public record Alerts(Availability availability, TtftP99 ttftP99, Accuracy accuracy, Canary canary) {
    }

    /** AVAILABILITY: trailing-window success rate. */
    public record Availability(double openBelow, double resolveAtLeast, long minProbes) {
    }

    /** TTFT_P99: trailing-window p99 over the median of hourly p99s of the baseline period. */
    public record TtftP99(double openRatio, double resolveRatio, long minTimingProbes, Duration baseline,
                          int minBaselineHours, double noiseMads) {
    }

    /** ACCURACY: two-proportion z-test, current period vs the baseline period before it. */
    public record Accuracy(double zCritical, double resolveZ, long minGraded, Duration current, Duration baseline) {
    }

    /** CANARY_HASH: consecutive identical answers that the reference never gave. */
    public record Canary(int consecutiveRounds, int historyRounds, int referenceRounds, int minReferenceSamples) {
    }

    /** A further probe window whose trailing figures give composites under their own label. */
    public record ProbeWindow(String label, Duration size, Duration advance) {
    }

    /** Ranges used for the low/high energy estimates. */
    public record Energy(double utilizationAssumedLow, double utilizationAssumedHigh, double utilizationMargin,
                         double pueAssumedLow, double pueAssumedHigh) {
    }

    private final int version;
    private final Map<String, Preset> presets;
    private final Fidelity fidelity;
    private final Windows windows;
    private final Duration emitInterval;
    private final int needleLastResults;
    private final Energy energy;
    private final Alerts alerts;
    private final List<ProbeWindow> probeExtra;
    private final SelfHostedSlo selfHostedSlo;
    private final String canonical;
    private final String configHash;

    private ScoringParams(int version, Map<String, Preset> presets, Fidelity fidelity, Windows windows,
                          Duration emitInterval, int needleLastResults, Energy energy, Alerts alerts,
                          List<ProbeWindow> probeExtra, SelfHostedSlo selfHostedSlo) {
        this.version = version;
        this.presets = Collections.unmodifiableMap(new LinkedHashMap<>(presets));
        this.fidelity = fidelity;
        this.windows = windows;
        this.emitInterval = emitInterval;
        this.needleLastResults = needleLastResults;
        this.energy = energy;
        this.alerts = alerts;
        this.probeExtra = List.copyOf(probeExtra);
        this.selfHostedSlo = selfHostedSlo;
        this.canonical = renderCanonical();
        this.configHash = sha256Hex16(canonical);
    }

    /** The shipped defaults. */
    public static ScoringParams defaults() {
        try (InputStream in = ScoringParams.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + DEFAULT_RESOURCE + " is missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** The file, or the shipped defaults when {@code file} is null. */
    public static ScoringParams load(Path file) {
        if (file == null) {
            return defaults();
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read scoring params: " + e.getMessage(), e);
        }
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static ScoringParams parse(String yaml, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a YAML mapping at the top level");
        }
        Reader r = new Reader(source);
        int version = r.integer(root, "version", 1);
        if (version != 1) {
            throw new IllegalArgumentException(source + ": version " + version + " is not supported (expected 1)");
        }
        JsonNode win = root.path("windows");
        Windows windows = new Windows(
                r.duration(win.path("probe"), "windows.probe.size", "size", Duration.ofHours(1)),
                r.duration(win.path("probe"), "windows.probe.advance", "advance", Duration.ofMinutes(5)),
                r.duration(win.path("eval"), "windows.eval.size", "size", Duration.ofHours(24)),
                r.duration(win.path("eval"), "windows.eval.advance", "advance", Duration.ofHours(1)),
                r.duration(win, "windows.grace", "grace", Duration.ofMinutes(5)));
        r.check(windows.probeAdvance().compareTo(windows.probeSize()) <= 0, "windows.probe",
                "advance must not exceed size");
        // probe windows are merged from buckets of one advance and of one size (ProbeBuckets)
        r.check(windows.probeAdvance().toMillis() > 0
                        && windows.probeSize().toMillis() % windows.probeAdvance().toMillis() == 0, "windows.probe",
                "size must be a multiple of advance");
        r.check(windows.evalAdvance().compareTo(windows.evalSize()) <= 0, "windows.eval",
                "advance must not exceed size");
        Duration emit = r.duration(root, "emit_interval", "emit_interval", Duration.ofMinutes(1));
        List<ProbeWindow> probeExtra = new ArrayList<>();
        JsonNode extra = win.path("probe_extra");
        r.check(extra.isMissingNode() || extra.isNull() || extra.isObject(), "windows.probe_extra",
                "expected a mapping of label to {size, advance}");
        for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = "windows.probe_extra." + e.getKey();
            r.check(e.getKey().matches("[0-9a-z]{1,8}") && !e.getKey().equals(CohortScoring.PROBE_WINDOW_LABEL), at,
                    "label must be 1-8 of [0-9a-z] and not " + CohortScoring.PROBE_WINDOW_LABEL);
            ProbeWindow pw = new ProbeWindow(e.getKey(), r.duration(e.getValue(), at + ".size", "size", null),
                    r.duration(e.getValue(), at + ".advance", "advance", null));
            r.check(pw.size() != null && pw.advance() != null && pw.advance().compareTo(pw.size()) <= 0, at,
                    "needs size and advance, advance <= size");
            long hourBucket = windows.probeSize().toMillis();
            r.check(pw.size() == null || pw.advance() == null || hourBucket <= 0
                            || (pw.size().toMillis() % hourBucket == 0 && pw.advance().toMillis() % hourBucket == 0), at,
                    "size and advance must be multiples of windows.probe.size (" + windows.probeSize() + ")");
            probeExtra.add(pw);
        }

        JsonNode fid = root.path("fidelity");
        JsonNode st = fid.path("sample_test");
        SampleTest sampleTest = new SampleTest(r.integer(st, "length", 16), r.integer(st, "samples_per_prompt", 4),
                r.integer(st, "permutations", 200), r.number(st, "alpha", "fidelity.sample_test.alpha", 0.05),
                r.number(st, "min_effect", "fidelity.sample_test.min_effect", 0.05), r.integer(st, "seed", 1),
                r.integer(st, "confirmations", 2));
        r.check(sampleTest.confirmations() >= 1 && sampleTest.confirmations() <= 10,
                "fidelity.sample_test.confirmations", "must be in [1, 10]");
        r.check(sampleTest.length() >= 1 && sampleTest.length() <= 4096, "fidelity.sample_test.length",
                "must be in [1, 4096]");
        r.check(sampleTest.samplesPerPrompt() >= 2 && sampleTest.samplesPerPrompt() <= 64,
                "fidelity.sample_test.samples_per_prompt", "must be in [2, 64] (the test needs pairs per side)");
        r.check(sampleTest.alpha() > 0 && sampleTest.alpha() <= 0.5, "fidelity.sample_test.alpha",
                "must be in (0, 0.5]");
        // the smallest p-value is 1 / (permutations + 1): fewer permutations could never reject
        r.check(sampleTest.permutations() >= Math.ceil(1 / sampleTest.alpha()) - 1
                        && sampleTest.permutations() <= 100_000, "fidelity.sample_test.permutations",
                "must be in [1/alpha - 1, 100000]");
        r.check(sampleTest.minEffect() >= 0 && sampleTest.minEffect() <= 2, "fidelity.sample_test.min_effect",
                "must be in [0, 2] (MMD squared with this kernel is at most 2)");
        Fidelity fidelity = new Fidelity(r.number(fid, "faithful_min", "fidelity.faithful_min", 97.0),
                r.number(fid, "drifted_min", "fidelity.drifted_min", 90.0),
                r.integer(fid, "min_prompts", 8),
                r.number(fid, "smoothing_epsilon", "fidelity.smoothing_epsilon", 1e-6), sampleTest);
        r.check(fidelity.driftedMin() <= fidelity.faithfulMin() && fidelity.driftedMin() >= 0
                        && fidelity.faithfulMin() <= 100, "fidelity",
                "need 0 <= drifted_min <= faithful_min <= 100");
        r.check(fidelity.minPrompts() >= 1, "fidelity.min_prompts", "must be >= 1");
        r.check(fidelity.smoothingEpsilon() > 0 && fidelity.smoothingEpsilon() < 0.01, "fidelity.smoothing_epsilon",
                "must be in (0, 0.01)");

        int needle = r.integer(root.path("needle"), "last_results", 3);
        r.check(needle >= 1, "needle.last_results", "must be >= 1");

        JsonNode en = root.path("energy");
        double[] uRange = r.range(en, "utilization_assumed_range", new double[] {0.4, 1.0});
        double[] pueRange = r.range(en, "pue_assumed_range", new double[] {1.1, 1.6});
        Energy energy = new Energy(uRange[0], uRange[1],
                r.number(en, "utilization_margin", "energy.utilization_margin", 0.1), pueRange[0], pueRange[1]);

        JsonNode presetsNode = root.path("presets");
        r.check(presetsNode.isObject() && presetsNode.size() > 0, "presets", "at least one preset is required");
        Map<String, Preset> presets = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = presetsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            presets.put(e.getKey(), r.preset(e.getKey(), e.getValue()));
        }
        Alerts alerts = r.alerts(root.path("alerts"));
        JsonNode slo = root.path("self_hosted").path("slo");
        SelfHostedSlo selfHostedSlo = new SelfHostedSlo(
                r.number(slo, "ttft_ms_p90_max", "self_hosted.slo.ttft_ms_p90_max", 2000.0),
                r.number(slo, "output_tps_p50_min", "self_hosted.slo.output_tps_p50_min", 20.0));
        r.check(selfHostedSlo.ttftMsP90Max() > 0 && selfHostedSlo.outputTpsP50Min() >= 0, "self_hosted.slo",
                "need ttft_ms_p90_max > 0 and output_tps_p50_min >= 0");
        return new ScoringParams(version, presets, fidelity, windows, emit, needle, energy, alerts, probeExtra,
                selfHostedSlo);
    }

    public int version() {
        return version;
    }

    /** Presets in file order. */
    public Map<String, Preset> presets() {
        return presets;
    }

    public Preset preset(String name) {
        Preset p = presets.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + presets.keySet());
        }
        return p;
    }

    public Fidelity fidelity() {
        return fidelity;
    }

    public Windows windows() {
        return windows;
    }

    /**
     * How often composites and leaderboards are emitted, in stream time; also how often probe
     * windows are checked for closed buckets (stream time) and their open figures emitted
     * (wall-clock time, at least every 10 s): scoring.md, "When window figures are emitted".
     */
    public Duration emitInterval() {
        return emitInterval;
    }

    /** Latest needle results per length that decide whether a length passes. */
    public int needleLastResults() {
        return needleLastResults;
    }

    public Energy energy() {
        return energy;
    }

    public Alerts alerts() {
        return alerts;
    }

    /** Further probe windows (label, size, advance) in file order; composites carry their label. */
    public List<ProbeWindow> probeExtraWindows() {
        return probeExtra;
    }

    /** The service level self-hosted prices are quoted at. */
    public SelfHostedSlo selfHostedSlo() {
        return selfHostedSlo;
    }

    /** The canonical JSON of the effective parameters that {@link #configHash()} covers. */
    public String canonical() {
        return canonical;
    }

    /** First 16 hex chars of SHA-256 over {@link #canonical()}; stamped on every output. */
    public String configHash() {
        return configHash;
    }

    /** Fidelity status of an F over {@code prompts} compared prompts. */
    public String fidelityStatus(double f, int prompts) {
        if (prompts < fidelity.minPrompts()) {
            return "unknown";
        }
        if (f >= fidelity.faithfulMin()) {
            return "faithful";
        }
        return f >= fidelity.driftedMin() ? "drifted" : "modified";
    }

    private String renderCanonical() {
        Map<String, Object> root = new TreeMap<>();
        root.put("version", version);
        root.put("emit_interval_ms", emitInterval.toMillis());
        root.put("windows", new TreeMap<>(Map.of("probe_size_ms", windows.probeSize().toMillis(),
                "probe_advance_ms", windows.probeAdvance().toMillis(), "eval_size_ms", windows.evalSize().toMillis(),
                "eval_advance_ms", windows.evalAdvance().toMillis(), "grace_ms", windows.grace().toMillis())));
        root.put("fidelity", new TreeMap<>(Map.of("faithful_min", fidelity.faithfulMin(),
                "drifted_min", fidelity.driftedMin(), "min_prompts", fidelity.minPrompts(),
                "smoothing_epsilon", fidelity.smoothingEpsilon(), "sample_test", new TreeMap<>(Map.of(
                        "length", fidelity.sampleTest().length(),
                        "samples_per_prompt", fidelity.sampleTest().samplesPerPrompt(),
                        "permutations", fidelity.sampleTest().permutations(), "alpha", fidelity.sampleTest().alpha(),
                        "min_effect", fidelity.sampleTest().minEffect(), "seed", fidelity.sampleTest().seed())))));
        Map<String, Object> extraWindows = new TreeMap<>();
        probeExtra.forEach(pw -> extraWindows.put(pw.label(), new TreeMap<>(Map.of("size_ms", pw.size().toMillis(),
                "advance_ms", pw.advance().toMillis()))));
        root.put("probe_extra_windows", extraWindows);
        root.put("needle_last_results", needleLastResults);
        root.put("energy", new TreeMap<>(Map.of("utilization_assumed_low", energy.utilizationAssumedLow(),
                "utilization_assumed_high", energy.utilizationAssumedHigh(),
                "utilization_margin", energy.utilizationMargin(), "pue_assumed_low", energy.pueAssumedLow(),
                "pue_assumed_high", energy.pueAssumedHigh())));
        root.put("alerts", new TreeMap<>(Map.of(
                "availability", new TreeMap<>(Map.of("open_below", alerts.availability().openBelow(),
                        "resolve_at_least", alerts.availability().resolveAtLeast(),
                        "min_probes", alerts.availability().minProbes())),
                "ttft_p99", new TreeMap<>(Map.of("open_ratio", alerts.ttftP99().openRatio(),
                        "resolve_ratio", alerts.ttftP99().resolveRatio(),
                        "min_timing_probes", alerts.ttftP99().minTimingProbes(),
                        "baseline_ms", alerts.ttftP99().baseline().toMillis(),
                        "min_baseline_hours", alerts.ttftP99().minBaselineHours(),
                        "noise_mads", alerts.ttftP99().noiseMads())),
                "accuracy", new TreeMap<>(Map.of("z_critical", alerts.accuracy().zCritical(),
                        "resolve_z", alerts.accuracy().resolveZ(), "min_graded", alerts.accuracy().minGraded(),
                        "current_ms", alerts.accuracy().current().toMillis(),
                        "baseline_ms", alerts.accuracy().baseline().toMillis())),
                "canary", new TreeMap<>(Map.of("consecutive_rounds", alerts.canary().consecutiveRounds(),
                        "history_rounds", alerts.canary().historyRounds(),
                        "reference_rounds", alerts.canary().referenceRounds(),
                        "min_reference_samples", alerts.canary().minReferenceSamples())))));
        Map<String, Object> ps = new TreeMap<>();
        presets.forEach((name, p) -> ps.put(name, new TreeMap<>(Map.of("input_ratio", p.inputRatio(),
                "output_ratio", p.outputRatio(), "batch_price", p.batchPrice(),
                "cached_input_share", p.cachedInputShare(),
                "weights", new TreeMap<>(Map.of("speed", p.weights().speed(), "ttft", p.weights().ttft(),
                        "price", p.weights().price(), "quality", p.weights().quality(),
                        "reliability", p.weights().reliability()))))));
        root.put("presets", ps);
        root.put("self_hosted_slo", new TreeMap<>(Map.of("ttft_ms_p90_max", selfHostedSlo.ttftMsP90Max(),
                "output_tps_p50_min", selfHostedSlo.outputTpsP50Min())));
        try {
            return new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render canonical scoring params", e);
        }
    }

    static String sha256Hex16(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Field readers whose errors name the source file and the field path. */
    private record Reader(String source) {

        void check(boolean ok, String field, String message) {
            if (!ok) {
                throw new IllegalArgumentException(source + ": " + field + ": " + message);
            }
        }

        double number(JsonNode parent, String key, String path, double dflt) {
            JsonNode n = parent.path(key);
            if (n.isMissingNode() || n.isNull()) {
                return dflt;
            }
            check(n.isNumber(), path, "expected a number, got '" + n.asText() + "'");
            double v = n.asDouble();
            check(Double.isFinite(v), path, "must be finite");
            return v;
        }

        int integer(JsonNode parent, String key, int dflt) {
            JsonNode n = parent.path(key);
            if (n.isMissingNode() || n.isNull()) {
                return dflt;
            }
            check(n.isIntegralNumber(), key, "expected an integer, got '" + n.asText() + "'");
            return n.asInt();
        }

        Duration duration(JsonNode parent, String path, String key, Duration dflt) {
            JsonNode n = parent.path(key);
            if (n.isMissingNode() || n.isNull()) {
                return dflt;
            }
            try {
                Duration d = Duration.parse(n.asText());
                check(!d.isNegative() && !d.isZero() || key.equals("grace") && !d.isNegative(), path,
                        "must be positive");
                return d;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(source + ": " + path + ": expected an ISO-8601 duration such as"
                        + " PT5M, got '" + n.asText() + "'");
            }
        }

        double[] range(JsonNode parent, String key, double[] dflt) {
            JsonNode n = parent.path(key);
            if (n.isMissingNode() || n.isNull()) {
                return dflt;
            }
            check(n.isArray() && n.size() == 2 && n.get(0).isNumber() && n.get(1).isNumber(), "energy." + key,
                    "expected [low, high]");
            double lo = n.get(0).asDouble();
            double hi = n.get(1).asDouble();
            check(lo > 0 && lo <= hi, "energy." + key, "need 0 < low <= high");
            return new double[] {lo, hi};
        }

        Alerts alerts(JsonNode a) {
            JsonNode av = a.path("availability");
            Availability availability = new Availability(
                    number(av, "open_below", "alerts.availability.open_below", 0.95),
                    number(av, "resolve_at_least", "alerts.availability.resolve_at_least", 0.97),
                    integer(av, "min_probes", 20));
            check(availability.openBelow() > 0 && availability.openBelow() <= availability.resolveAtLeast()
                    && availability.resolveAtLeast() <= 1, "alerts.availability",
                    "need 0 < open_below <= resolve_at_least <= 1");
            check(availability.minProbes() >= 1, "alerts.availability.min_probes", "must be >= 1");
            JsonNode tt = a.path("ttft_p99");
            TtftP99 ttft = new TtftP99(number(tt, "open_ratio", "alerts.ttft_p99.open_ratio", 1.5),
                    number(tt, "resolve_ratio", "alerts.ttft_p99.resolve_ratio", 1.25),
                    integer(tt, "min_timing_probes", 20),
                    duration(tt, "alerts.ttft_p99.baseline", "baseline", Duration.ofDays(7)),
                    integer(tt, "min_baseline_hours", 6),
                    number(tt, "noise_mads", "alerts.ttft_p99.noise_mads", 3.0));
            check(ttft.noiseMads() >= 0, "alerts.ttft_p99.noise_mads", "must be >= 0");
            check(ttft.resolveRatio() >= 1 && ttft.resolveRatio() <= ttft.openRatio(), "alerts.ttft_p99",
                    "need 1 <= resolve_ratio <= open_ratio");
            check(ttft.minTimingProbes() >= 1 && ttft.minBaselineHours() >= 1, "alerts.ttft_p99",
                    "min_timing_probes and min_baseline_hours must be >= 1");
            JsonNode ac = a.path("accuracy");
            Accuracy accuracy = new Accuracy(number(ac, "z_critical", "alerts.accuracy.z_critical", 2.576),
                    number(ac, "resolve_z", "alerts.accuracy.resolve_z", 1.0),
                    integer(ac, "min_graded", 100),
                    duration(ac, "alerts.accuracy.current", "current", Duration.ofHours(24)),
                    duration(ac, "alerts.accuracy.baseline", "baseline", Duration.ofDays(7)));
            check(accuracy.zCritical() > 0 && accuracy.resolveZ() >= 0 && accuracy.resolveZ() <= accuracy.zCritical(),
                    "alerts.accuracy", "need 0 <= resolve_z <= z_critical, z_critical > 0");
            check(accuracy.minGraded() >= 1, "alerts.accuracy.min_graded", "must be >= 1");
            check(accuracy.current().compareTo(accuracy.baseline()) < 0
                            && accuracy.current().toMillis() % 3_600_000L == 0
                            && accuracy.baseline().toMillis() % 3_600_000L == 0, "alerts.accuracy",
                    "current and baseline must be whole hours, current < baseline");
            JsonNode ca = a.path("canary");
            Canary canary = new Canary(integer(ca, "consecutive_rounds", 3), integer(ca, "history_rounds", 10),
                    integer(ca, "reference_rounds", 20), integer(ca, "min_reference_samples", 3));
            check(canary.consecutiveRounds() >= 2 && canary.historyRounds() >= canary.consecutiveRounds(),
                    "alerts.canary", "need 2 <= consecutive_rounds <= history_rounds");
            check(canary.minReferenceSamples() >= 1 && canary.referenceRounds() >= canary.minReferenceSamples(),
                    "alerts.canary", "need 1 <= min_reference_samples <= reference_rounds");
            return new Alerts(availability, ttft, accuracy, canary);
        }

        Preset preset(String name, JsonNode node) {
            String at = "preset '" + name + "'";
            check(node.isObject(), at, "expected a mapping");
            JsonNode ratio = node.path("ratio");
            double in = number(ratio, "input", at + ": ratio.input", Double.NaN);
            double out = number(ratio, "output", at + ": ratio.output", Double.NaN);
            check(!Double.isNaN(in) && in > 0, at + ": ratio.input", "must be > 0");
            check(!Double.isNaN(out) && out > 0, at + ": ratio.output", "must be > 0");
            JsonNode b = node.path("batch_price");
            check(b.isMissingNode() || b.isBoolean(), at + ": batch_price", "expected true or false");
            JsonNode w = node.path("weights");
            check(w.isObject(), at + ": weights", "expected a mapping of speed, ttft, price, quality, reliability");
            List<String> unknown = new ArrayList<>();
            w.fieldNames().forEachRemaining(f -> {
                if (!List.of("speed", "ttft", "price", "quality", "reliability").contains(f)) {
                    unknown.add(f);
                }
            });
            check(unknown.isEmpty(), at + ": weights", "unknown factor(s) " + unknown);
            Weights weights = new Weights(weight(w, at, "speed"), weight(w, at, "ttft"), weight(w, at, "price"),
                    weight(w, at, "quality"), weight(w, at, "reliability"));
            check(Math.abs(weights.sum() - 1.0) <= WEIGHT_SUM_TOLERANCE, at + ": weights",
                    "must sum to 1 (+/- 1e-6), got " + weights.sum());
            double cachedShare = number(node, "cached_input_share", at + ": cached_input_share", 0.0);
            check(cachedShare >= 0 && cachedShare <= 1, at + ": cached_input_share", "must be in [0, 1], got " + cachedShare);
            return new Preset(name, in, out, b.asBoolean(false), weights, cachedShare);
        }

        private double weight(JsonNode w, String at, String factor) {
            double v = number(w, factor, at + ": weights." + factor, Double.NaN);
            check(!Double.isNaN(v), at + ": weights." + factor, "is required");
            check(v >= 0 && v <= 1, at + ": weights." + factor, "must be in [0, 1], got " + v);
            return v;
        }
    }
}
