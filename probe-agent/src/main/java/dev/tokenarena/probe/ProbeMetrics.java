package dev.tokenarena.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The agent's metrics in the Prometheus text format (version 0.0.4): requests by endpoint and
 * outcome, streams in flight, and whatever gauges the wiring registers (spool depth, budget
 * used). Counters are lock-free; rendering reads a consistent-enough snapshot.
 */
public final class ProbeMetrics {

    /** A family of samples sharing a name: label sets (already rendered) to values. */
    @FunctionalInterface
    public interface Family {
        Map<String, Number> samples();
    }

    private record Registered(String help, String type, Family family) {
    }

    private final ConcurrentMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Registered> families = new java.util.concurrent.ConcurrentSkipListMap<>();

    public ProbeMetrics() {
        register("arena_probe_requests_total", "Probe requests finished, by endpoint and outcome.", "counter", () -> {
            Map<String, Number> out = new TreeMap<>();
            requests.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        });
        gauge("arena_probe_inflight_streams", "Probe requests currently open.", inFlight::get);
    }

    void request(String endpointId, String outcome) {
        requests.computeIfAbsent(labels("endpoint", endpointId, "outcome", outcome), k -> new LongAdder()).increment();
    }

    void streamOpened() {
        inFlight.incrementAndGet();
    }

    void streamClosed() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Registers a family of samples (replacing one of the same name). */
    public void register(String name, String help, String type, Family family) {
        families.put(name, new Registered(help, type, family));
    }

    /** Registers a single unlabelled gauge. */
    public void gauge(String name, String help, Supplier<? extends Number> value) {
        register(name, help, "gauge", () -> Map.of("", value.get()));
    }

    /** Renders label pairs as {@code {k="v",...}} with Prometheus escaping. */
    static String labels(String... kv) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            String v = kv[i + 1] == null ? "" : kv[i + 1];
            parts.add(kv[i] + "=\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"");
        }
        return "{" + String.join(",", parts) + "}";
    }

    /** Everything, in the text exposition format. */
    public String scrape() {
        StringBuilder sb = new StringBuilder();
        families.forEach((name, r) -> {
            sb.append("# HELP ").append(name).append(' ').append(r.help()).append('\n');
            sb.append("# TYPE ").append(name).append(' ').append(r.type()).append('\n');
            r.family().samples().forEach((labels, value) -> {
                sb.append(name).append(labels).append(' ');
                if (value instanceof Double || value instanceof Float) {
                    sb.append(String.format(Locale.ROOT, "%s", value.doubleValue()));
                } else {
                    sb.append(value.longValue());
                }
                sb.append('\n');
            });
        });
        return sb.toString();
    }
}
