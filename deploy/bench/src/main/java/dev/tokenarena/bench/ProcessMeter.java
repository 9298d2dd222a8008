package dev.tokenarena.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * CPU time and heap peaks of this JVM over one measured phase. CPU is the process's (every
 * thread: event loops, workers, JIT, GC), from {@code com.sun.management.OperatingSystemMXBean}.
 * The heap peak is the sum over heap pools of each pool's peak since {@link #start()}: an upper
 * bound of the true simultaneous peak, never below it.
 */
final class ProcessMeter {

    private long cpuStartNanos;
    private long gcCountStart;
    private long gcMsStart;

    /** Resets the pool peaks and reads the CPU clock. */
    void start() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
        cpuStartNanos = processCpuNanos();
        gcCountStart = gcCount();
        gcMsStart = gcMs();
    }

    /** Collections since {@link #start()}. */
    long gcCountSince() {
        return gcCount() - gcCountStart;
    }

    /**
     * Milliseconds the collectors report since {@link #start()}: for G1's young and mixed
     * collections that is their stop-the-world time, during which no stamp can be taken.
     */
    long gcMsSince() {
        return gcMs() - gcMsStart;
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionCount())).sum();
    }

    static long gcMs() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionTime())).sum();
    }

    /** CPU time of the process since {@link #start()}, milliseconds. */
    double cpuMs() {
        return (processCpuNanos() - cpuStartNanos) / 1e6;
    }

    /** Sum of the heap pools' peak usage since {@link #start()}, MiB. */
    static double heapPeakMb() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid() && pool.getPeakUsage() != null) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024.0 * 1024.0);
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        throw new IllegalStateException("this JVM does not report process CPU time (com.sun.management missing)");
    }

    /** Hands each live thread's name and CPU time so far (nanoseconds) to {@code use}. */
    static void eachThreadCpu(ObjLongConsumer<String> use) {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null) {
                use.accept(t.getThreadName(), Math.max(0, threads.getThreadCpuTime(t.getThreadId())));
            }
        }
    }

    /** CPU time so far of the live threads whose names start with {@code prefix}, nanoseconds. */
    static long threadsCpuNanos(String prefix) {
        long[] sum = {0};
        eachThreadCpu((name, cpu) -> {
            if (name.startsWith(prefix)) {
                sum[0] += cpu;
            }
        });
        return sum[0];
    }

    /**
     * CPU time so far of the live threads, nanoseconds, by group: a thread's name without ids
     * (UUIDs, hex tags, a trailing number), so the broker's eight request handlers are one group.
     */
    static Map<String, Long> cpuNanosByThreadGroup() {
        Map<String, Long> out = new java.util.TreeMap<>();
        eachThreadCpu((name, cpu) -> out.merge(name
                .replaceAll("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "")
                .replaceAll("-[0-9a-f]{8}(?=-|$)", "")
                .replaceAll("[-_ ]?[0-9]+$", ""), cpu, Long::sum));
        return out;
    }

    /**
     * The busiest thread groups between two {@link #cpuNanosByThreadGroup} snapshots, as cores
     * (CPU seconds per second of {@code seconds}), at most {@code top} of them.
     */
    static Map<String, Double> busiestGroups(Map<String, Long> before, Map<String, Long> after, double seconds, int top) {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() / 1e9 / seconds * 1000) / 1000.0));
        return out;
    }

    /** The 1-minute load average of the machine, as the OS reports it; -1 when unknown. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
