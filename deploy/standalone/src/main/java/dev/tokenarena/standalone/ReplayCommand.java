package dev.tokenarena.standalone;

import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.scoring.ScoringParams;
import dev.tokenarena.scoring.replay.ReplayRequest;
import dev.tokenarena.scoring.replay.ReplayResult;
import dev.tokenarena.scoring.replay.Replayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code arena replay}: re-scores a time range of history under another scoring config into a
 * separate output namespace ({@code <topic>.NAME}). Same input and config give byte-identical
 * output; see docs/operations.md.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-score history [--from, --to) under another scoring config into <topic>.<NAME> topics.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, description = "Start of the range (inclusive), ISO-8601, e.g. 2026-11-01T00:00:00Z.")
    String from;

    @Option(names = "--to", required = true, description = "End of the range (exclusive), ISO-8601.")
    String to;

    @Option(names = "--config", description = "Scoring parameters (presets YAML); default: the shipped presets-v1.")
    Path config;

    @Option(names = "--as", required = true, description = "Output namespace: 1 to 100 letters, digits, '_' or '-'.")
    String name;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--work-dir", description = "Scratch directory for the replay's state. Default: a temporary directory.")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        Instant start = instant("--from", from);
        Instant end = instant("--to", to);
        if (config != null && !Files.isRegularFile(config)) {
            throw new ArenaCli.BadInputException("--config " + config + ": file not found");
        }
        ScoringParams params = ScoringParams.load(config);
        Path work = workDir != null ? workDir : Files.createTempDirectory("arena-replay-");
        System.out.printf("replaying %s .. %s under config %s into namespace '%s'%n", start, end, params.configHash(), name);
        long[] lastPrinted = {-1};
        ReplayResult result = new Replayer(new RestSchemaRegistryClient(cluster.registry)).run(new ReplayRequest(start, end,
                params, name, cluster.bootstrap, work, (read, total) -> {
                    long percent = total == 0 ? 100 : read * 100 / total;
                    if (percent / 10 != lastPrinted[0] / 10 || read == total) {
                        lastPrinted[0] = percent;
                        System.out.printf(Locale.ROOT, "  %3d%%  %,d / %,d records%n", percent, read, total);
                    }
                }));
        System.out.printf(Locale.ROOT, "read %,d records, replayed %,d; written %s; config %s%n", result.recordsRead(),
                result.recordsReplayed(), result.recordsWritten(), result.configHash());
        return 0;
    }

    private static Instant instant(String option, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ArenaCli.BadInputException(option + " '" + value + "' is not an ISO-8601 instant such as 2026-11-01T00:00:00Z");
        }
    }
}
