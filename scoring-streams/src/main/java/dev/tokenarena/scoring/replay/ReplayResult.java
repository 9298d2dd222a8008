package dev.tokenarena.scoring.replay;

import java.util.Map;

/**
 * What a replay did.
 *
 * @param recordsRead input records read (all partitions, up to the end offsets at start)
 * @param recordsReplayed of those, records inside the range that went through the topology
 * @param recordsWritten output records per output topic
 * @param configHash hash of the scoring params, stamped on every output
 * @param threadCpuMs CPU time of each of the replay's threads ({@code reader}, {@code probe-stage},
 *                    {@code scoring-stage}: the caller's, during the replay), ms; which one is busiest
 *                    says what bounds a replay's speed
 */
public record ReplayResult(long recordsRead, long recordsReplayed, Map<String, Long> recordsWritten,
                           String configHash, Map<String, Long> threadCpuMs) {

    public ReplayResult {
        recordsWritten = Map.copyOf(recordsWritten);
        threadCpuMs = Map.copyOf(threadCpuMs);
    }
}
