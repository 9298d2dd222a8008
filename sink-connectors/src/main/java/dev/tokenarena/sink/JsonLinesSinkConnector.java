package dev.tokenarena.sink;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;

/**
 * Appends catalogue Avro topics to JSON lines files, one file per topic: the {@code alerts.jsonl}
 * and {@code probe-results.jsonl} of the output contract (DESIGN section 9).
 *
 * <p>Minimal config: {@code connector.class=dev.tokenarena.sink.JsonLinesSinkConnector},
 * {@code topics=arena.alerts.drift.v1,arena.probe.results.v1},
 * {@code value.converter=org.apache.kafka.connect.converters.ByteArrayConverter},
 * {@code schema.registry.url}, {@code jsonl.dir},
 * {@code jsonl.files=arena.alerts.drift.v1:alerts.jsonl,arena.probe.results.v1:probe-results.jsonl}.
 */
public final class JsonLinesSinkConnector extends ArenaSinkConnector {

    /** One task: two tasks appending to the same file would interleave partial buffers. */
    public JsonLinesSinkConnector() {
        super(JsonLinesSinkConfig.CONFIG_DEF, JsonLinesSinkTask.class, JsonLinesSinkConfig::new, Tasks.ONE);
    }

    /** Adds the rules across settings: every consumed topic is a catalogue topic mapped to a file. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorRules.copy(super.validate(connectorConfigs));
        ConnectorRules.requireMappedCatalogueTopics(config, connectorConfigs, mapped(connectorConfigs),
                JsonLinesSinkConfig.JSONL_FILES, "file");
        return config;
    }

    // Empty when jsonl.files is missing or malformed: its own check reported that already, and a
    // second "topic has no file" error would only point the user at the wrong setting.
    private static Optional<Map<String, String>> mapped(Map<String, String> props) {
        String files = props.get(JsonLinesSinkConfig.JSONL_FILES);
        if (files == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonLinesSinkConfig.parseFiles(JsonLinesSinkConfig.JSONL_FILES,
                    ConnectorRules.items(files)));
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }
}
