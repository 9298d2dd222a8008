package dev.tokenarena.energy;

import dev.tokenarena.schemas.config.CommonConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the energy and price feed, declared once; parsed into typed final fields. */
public final class EnergyFeedConfig extends AbstractConfig {

    public static final String CATALOG_FILE = "catalog.file";
    public static final String GRID_FILE = "grid.file";
    public static final String PUBLISH_INTERVAL_MS = "publish.interval.ms";

    private static final ConfigDef DEF = CommonConfig.define(new ConfigDef())
            .define(CATALOG_FILE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Endpoint catalogue YAML to publish (endpoints, prices, energy profiles).")
            .define(GRID_FILE, Type.STRING, "", Importance.MEDIUM,
                    "Grid intensity CSV (zone,gco2_per_kwh,year,source); empty = the shipped annual averages.")
            .define(PUBLISH_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.between(100, 86_400_000L),
                    Importance.MEDIUM, "How often to check for changes and publish them, milliseconds.");

    private final Path catalogFile;
    private final String gridFile;
    private final Duration publishInterval;

    public EnergyFeedConfig(Map<?, ?> props) {
        super(DEF, props, false);
        this.catalogFile = Path.of(getString(CATALOG_FILE).trim());
        this.gridFile = getString(GRID_FILE).trim();
        this.publishInterval = Duration.ofMillis(getLong(PUBLISH_INTERVAL_MS));
    }

    /** Reads a properties file with ARENA_* environment overrides (see {@link CommonConfig#load}). */
    public static EnergyFeedConfig load(Path file, Map<String, String> env) {
        return new EnergyFeedConfig(CommonConfig.load(file, DEF, env));
    }

    /** The definition, for the generated configuration reference. */
    public static ConfigDef configDef() {
        return DEF;
    }

    public Path catalogFile() {
        return catalogFile;
    }

    public Optional<Path> gridFile() {
        return gridFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(gridFile));
    }

    public Duration publishInterval() {
        return publishInterval;
    }

    public String bootstrapServers() {
        return getString(CommonConfig.BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return getString(CommonConfig.SCHEMA_REGISTRY_URL);
    }
}
