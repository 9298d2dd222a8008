package dev.tokenarena.sink;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;

/**
 * History a user can query in SQL: catalogue Avro topics into PostgreSQL tables, by default
 * composites, drift alerts and raw probe results (DESIGN section 8).
 *
 * <p>Minimal config: {@code connector.class=dev.tokenarena.sink.PostgresSinkConnector},
 * {@code topics=arena.composites.v1,arena.alerts.drift.v1,arena.probe.results.v1},
 * {@code value.converter=org.apache.kafka.connect.converters.ByteArrayConverter},
 * {@code schema.registry.url}, {@code pg.url=jdbc:postgresql://host:5432/arena},
 * {@code pg.user}, {@code pg.password}.
 */
public final class PostgresSinkConnector extends ArenaSinkConnector {

    /** Any number of tasks: rows are keyed by (partition, offset), so tasks never write the same row. */
    public PostgresSinkConnector() {
        super(PostgresSinkConfig.CONFIG_DEF, PostgresSinkTask.class, PostgresSinkConfig::new, Tasks.ANY);
    }

    /** Adds the rules across settings: every consumed topic is a catalogue topic mapped to a table. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorRules.copy(super.validate(connectorConfigs));
        ConnectorRules.requireMappedCatalogueTopics(config, connectorConfigs, mapped(connectorConfigs),
                PostgresSinkConfig.PG_TABLES, "table");
        return config;
    }

    // Empty when pg.tables is malformed: its own check reported that already.
    private static Optional<Map<String, String>> mapped(Map<String, String> props) {
        String tables = props.getOrDefault(PostgresSinkConfig.PG_TABLES, PostgresSinkConfig.DEFAULT_TABLES);
        try {
            return Optional.of(PostgresSinkConfig.parseTables(PostgresSinkConfig.PG_TABLES,
                    ConnectorRules.items(tables)));
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }
}
