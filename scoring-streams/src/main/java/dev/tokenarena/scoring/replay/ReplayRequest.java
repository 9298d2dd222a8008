package dev.tokenarena.scoring.replay;

import dev.tokenarena.scoring.ScoringParams;
import dev.tokenarena.scoring.ScoringTopology;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * One replay: re-score event time [from, to) of the input topics under {@code params} into the
 * output namespace {@code namespace} ({@code <topic>.<namespace>}).
 *
 * @param from first event time replayed (inclusive)
 * @param to end of the range (exclusive)
 * @param params scoring parameters to apply (their config hash is stamped on every output)
 * @param namespace output namespace ({@link ScoringTopology#NAMESPACE_RULE}); its output topics must be empty
 * @param bootstrapServers the Kafka cluster holding the input topics and receiving the outputs
 * @param workDir scratch directory for the replay's state stores (deleted afterwards)
 * @param progress told records read / total as the replay goes; never null
 */
public record ReplayRequest(Instant from, Instant to, ScoringParams params, String namespace,
                            String bootstrapServers, Path workDir, Progress progress) {

    /** Progress of a replay, called from the replaying thread. */
    @FunctionalInterface
    public interface Progress {
        /** {@code read} input records of {@code total} (the input as of the replay's start). */
        void update(long read, long total);

        Progress NONE = (read, total) -> { };
    }

    public ReplayRequest {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(workDir, "workDir");
        progress = progress == null ? Progress.NONE : progress;
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("replay range is empty: --from " + from + " must be before --to " + to);
        }
        if (!ScoringTopology.isNamespace(namespace)) {
            throw new IllegalArgumentException("replay namespace '" + namespace
                    + "' must be " + ScoringTopology.NAMESPACE_RULE + " (it names the output topics <topic>.NAME)");
        }
    }
}
