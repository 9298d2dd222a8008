package dev.tokenarena.scoring.api;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import dev.tokenarena.scoring.avro.ProbeStats;
import dev.tokenarena.scoring.avro.ProbeWindowAgg;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import java.util.Objects;

/**
 * What the query API needs to know about the topology: store names, how compound keys are
 * built, the presets, and two views the topology owns (a leaderboard from its rows, probe stats
 * of one window). The scoring app builds it, so store names stay defined in one place.
 *
 * @param leaderboardStore latest composite per (preset, window, endpoint); key preset + separator + window + separator + endpoint, partitioned by preset
 * @param alertStore drift alert state; key endpoint + separator + kind, partitioned by endpoint
 * @param endpointStores latest per-endpoint tables (probe stats, quality, fidelity), keyed and partitioned by endpoint
 * @param probeWindowsStore probe buckets (key-value), one per endpoint and hour among others (history)
 * @param probeWindowSizeMs size of one history bucket (the probe window size); history shows these
 * @param history reads one endpoint's history bucket starting at a time from the probe bucket store
 * @param keySeparator separator of compound keys
 * @param presets preset names, in a stable order
 * @param leaderboard ranks the rows of one preset like the topology does (null when there are none)
 * @param probeWindow probe stats of one window aggregate
 */
public record ApiStores(String leaderboardStore, String alertStore, List<String> endpointStores,
                        String probeWindowsStore, long probeWindowSizeMs, char keySeparator, List<String> presets,
                        LeaderboardView leaderboard, ProbeWindowView probeWindow, HistoryReader history) {

    public ApiStores {
        Objects.requireNonNull(leaderboardStore, "leaderboardStore");
        Objects.requireNonNull(alertStore, "alertStore");
        endpointStores = List.copyOf(endpointStores);
        Objects.requireNonNull(probeWindowsStore, "probeWindowsStore");
        presets = List.copyOf(presets);
        Objects.requireNonNull(leaderboard, "leaderboard");
        Objects.requireNonNull(probeWindow, "probeWindow");
        Objects.requireNonNull(history, "history");
    }

    /** One endpoint's history bucket [startMs, startMs + size), or null when nothing was probed in it. */
    @FunctionalInterface
    public interface HistoryReader {
        ProbeWindowAgg read(ReadOnlyKeyValueStore<String, ProbeWindowAgg> store, String endpointId, long startMs);
    }

    /** Ranks the latest composites of one preset into a snapshot. */
    @FunctionalInterface
    public interface LeaderboardView {
        LeaderboardSnapshot snapshot(String preset, List<EndpointComposite> rows);
    }

    /** Probe stats of the window [startMs, endMs). */
    @FunctionalInterface
    public interface ProbeWindowView {
        ProbeStats stats(long startMs, long endMs, ProbeWindowAgg agg);
    }

    String compoundKey(String first, String second) {
        return first + keySeparator + second;
    }
}
