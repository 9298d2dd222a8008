package dev.tokenarena.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The snapshot directory: the latest file per preset, and every version under
 * {@code snapshots/<preset>/}. Each file is replaced atomically, so a reader sees an old or a new
 * file, never half of one.
 */
final class SnapshotFiles {

    /** Preset names and config hashes become file names: nothing that could leave the directory. */
    static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path dir;
    // Per task and in memory: a rewind after a restart may rewrite an older latest file until
    // the newer snapshot is consumed again, which it is, from the same partition.
    private final Map<String, Long> latestGeneratedAtMs = new HashMap<>();

    SnapshotFiles(Path dir) {
        this.dir = dir;
    }

    /** Why the snapshot cannot be written as files, or null when it can. */
    static String unusable(LeaderboardSnapshot snapshot) {
        if (!SAFE_NAME.matcher(snapshot.getPreset()).matches()) {
            return "preset '" + PoisonRecords.cap(snapshot.getPreset()) + "' is not a safe file name (" + SAFE_NAME + ")";
        }
        if (!SAFE_NAME.matcher(snapshot.getWindow()).matches()) {
            return "window '" + PoisonRecords.cap(snapshot.getWindow()) + "' is not a safe file name (" + SAFE_NAME + ")";
        }
        if (!SAFE_NAME.matcher(snapshot.getConfigHash()).matches()) {
            return "config_hash '" + PoisonRecords.cap(snapshot.getConfigHash()) + "' is not a safe file name ("
                    + SAFE_NAME + ")";
        }
        return null;
    }

    /** The main (1 h) board keeps the plain preset name; the 24 h and 7 d boards add their window. */
    static String boardName(LeaderboardSnapshot snapshot) {
        return Topics.MAIN_WINDOW.equals(snapshot.getWindow()) ? snapshot.getPreset()
                : snapshot.getPreset() + "-" + snapshot.getWindow();
    }

    static Path latestJson(Path dir, String preset) {
        return dir.resolve("leaderboard-" + preset + ".json");
    }

    static Path latestCsv(Path dir, String preset) {
        return dir.resolve("leaderboard-" + preset + ".csv");
    }

    static Path versioned(Path dir, String preset, long generatedAtMs, String configHash, String extension) {
        return dir.resolve("snapshots").resolve(preset).resolve(generatedAtMs + "-" + configHash + "." + extension);
    }

    /**
     * Writes the versioned copy and, unless a newer snapshot of the preset was already written,
     * the latest files.
     *
     * @return true when the latest files were replaced
     */
    boolean write(LeaderboardSnapshot snapshot, Provenance provenance) throws IOException {
        ObjectNode doc = SnapshotDocument.json(snapshot, provenance);
        byte[] json = SnapshotDocument.jsonBytes(doc);
        byte[] csv = SnapshotDocument.csvBytes(doc);
        String preset = boardName(snapshot);
        long at = snapshot.getGeneratedAtMs();
        AtomicFiles.write(versioned(dir, preset, at, snapshot.getConfigHash(), "json"), json);
        AtomicFiles.write(versioned(dir, preset, at, snapshot.getConfigHash(), "csv"), csv);
        Long newest = latestGeneratedAtMs.get(preset);
        if (newest != null && at < newest) {
            return false;
        }
        AtomicFiles.write(latestJson(dir, preset), json);
        AtomicFiles.write(latestCsv(dir, preset), csv);
        latestGeneratedAtMs.put(preset, at);
        return true;
    }
}
