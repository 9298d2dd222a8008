package dev.tokenarena.sink;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/** Settings of {@link SnapshotSinkConnector}, declared once and parsed into typed fields. */
public final class SnapshotSinkConfig extends AbstractConfig {

    public static final String SNAPSHOT_DIR = "snapshot.dir";
    public static final String SNAPSHOT_WINDOWS = "snapshot.windows";
    public static final String SNAPSHOT_LICENSE = "snapshot.license";
    public static final String RETRY_BACKOFF_MS = "snapshot.retry.backoff.ms";
    public static final String MAX_RETRIES = "snapshot.max.retries";
    public static final String SCHEMA_REGISTRY_URL = RegistrySettings.URL;
    public static final String SCHEMA_REGISTRY_CLIENT_FACTORY = RegistrySettings.FACTORY;

    public static final String DEFAULT_LICENSE = "CC BY 4.0";

    private static final String GROUP = "Snapshot files";

    public static final ConfigDef CONFIG_DEF = RegistrySettings.define(new ConfigDef()
            .define(SNAPSHOT_DIR, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH,
                    "Directory that receives leaderboard-<preset>.json and .csv (the latest snapshot per preset) "
                            + "and snapshots/<preset>/<generated_at_ms>-<config_hash>.json and .csv (every snapshot). "
                            + "Created when missing.",
                    GROUP, 1, ConfigDef.Width.LONG, "Snapshot directory")
            .define(SNAPSHOT_WINDOWS, ConfigDef.Type.LIST, List.of(), ConfigDef.Importance.MEDIUM,
                    "Window labels to write (e.g. 1h). Empty writes every window; with several windows per preset "
                            + "the latest file holds whichever arrived last, so name one here.",
                    GROUP, 2, ConfigDef.Width.SHORT, "Windows")
            .define(SNAPSHOT_LICENSE, ConfigDef.Type.STRING, DEFAULT_LICENSE, new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.LOW, "Licence line written into every snapshot's provenance.",
                    GROUP, 3, ConfigDef.Width.SHORT, "Licence")
            .define(RETRY_BACKOFF_MS, ConfigDef.Type.LONG, 1000L, ConfigDef.Range.atLeast(0),
                    ConfigDef.Importance.LOW,
                    "Milliseconds before Connect redelivers a batch after a transient failure (registry "
                            + "unreachable, file write failed).",
                    GROUP, 4, ConfigDef.Width.SHORT, "Retry backoff (ms)")
            .define(MAX_RETRIES, ConfigDef.Type.INT, 10, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW,
                    "Consecutive transient failures tolerated before the task fails and shows the error in its status.",
                    GROUP, 5, ConfigDef.Width.SHORT, "Max retries"));

    private final Path snapshotDir;
    private final Set<String> windows;
    private final String license;
    private final long retryBackoffMs;
    private final int maxRetries;
    private final Password registryUrl;

    public SnapshotSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.snapshotDir = Path.of(getString(SNAPSHOT_DIR));
        this.windows = Set.copyOf(getList(SNAPSHOT_WINDOWS));
        this.license = getString(SNAPSHOT_LICENSE);
        this.retryBackoffMs = getLong(RETRY_BACKOFF_MS);
        this.maxRetries = getInt(MAX_RETRIES);
        this.registryUrl = getPassword(SCHEMA_REGISTRY_URL);
    }

    public Path snapshotDir() {
        return snapshotDir;
    }

    /** Window labels to write; empty means all. */
    public Set<String> windows() {
        return windows;
    }

    public String license() {
        return license;
    }

    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public int maxRetries() {
        return maxRetries;
    }

    /** The registry URL without credentials. */
    public String registryUrlRedacted() {
        return RegistrySettings.redacted(registryUrl);
    }
}
