package dev.tokenarena.scoring;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts records diverted to the DLQ, per source topic. Thread-safe: every stream thread's
 * handler shares the one instance of its application.
 */
public final class DeadLetterCounter {

    private final ConcurrentHashMap<String, LongAdder> byTopic = new ConcurrentHashMap<>();

    /** Counts one record and returns the new count of its topic. */
    long increment(String sourceTopic) {
        LongAdder adder = byTopic.computeIfAbsent(sourceTopic, t -> new LongAdder());
        adder.increment();
        return adder.sum();
    }

    /** Dead letters from one source topic so far. */
    public long count(String sourceTopic) {
        LongAdder adder = byTopic.get(sourceTopic);
        return adder == null ? 0 : adder.sum();
    }

    /** Dead letters from every source topic so far. */
    public long total() {
        return byTopic.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** A snapshot, by source topic. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        byTopic.forEach((t, a) -> out.put(t, a.sum()));
        return out;
    }
}
