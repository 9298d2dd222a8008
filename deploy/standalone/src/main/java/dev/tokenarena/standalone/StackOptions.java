package dev.tokenarena.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one all-in-one run needs to know. {@code timeFactor} compresses event time (60 = one real
 * second is one minute of event time); intervals are in real time.
 *
 * @param catalogFile catalogue of real endpoints, or null for the simulated fleet
 * @param regions probe regions, one local agent each except the first
 * @param firstRegionAgents agents in the first region, sharing its endpoints through heartbeats
 * @param changeAt fraction of the run after which the simulator silently quantizes an SKU (demo only)
 * @param revertAt fraction of the run after which the simulator reverts it (demo only)
 * @param sinks outputs beyond the files: PostgreSQL history, an alert webhook
 */
record StackOptions(
        Path catalogFile,
        Path outDir,
        Path workDir,
        Duration duration,
        int kafkaPort,
        int registryPort,
        int apiPort,
        double timeFactor,
        List<String> regions,
        int firstRegionAgents,
        Duration probeInterval,
        Duration evalInterval,
        List<Integer> inputTokens,
        List<Integer> concurrency,
        List<Integer> needleLengths,
        int needleEveryRounds,
        int evalItemsPerRound,
        int fingerprintPromptsPerRound,
        double changeAt,
        double revertAt,
        boolean printTables,
        OutputSinks sinks) {

    boolean simulated() {
        return catalogFile == null;
    }
}
