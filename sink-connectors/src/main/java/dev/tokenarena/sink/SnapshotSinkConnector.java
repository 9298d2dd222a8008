package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Publishes leaderboard snapshots as files: {@code leaderboard-<preset>.json} and {@code .csv}
 * in the output contract of DESIGN section 9, plus a versioned copy of each with provenance.
 *
 * <p>Minimal config: {@code connector.class=dev.tokenarena.sink.SnapshotSinkConnector},
 * {@code topics=arena.leaderboard.v1},
 * {@code value.converter=org.apache.kafka.connect.converters.ByteArrayConverter},
 * {@code schema.registry.url}, {@code snapshot.dir}.
 */
public final class SnapshotSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return Versions.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        // Parse once here so a bad setting fails the connector, not each task later.
        new SnapshotSinkConfig(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return SnapshotSinkTask.class;
    }

    /** Tasks write different presets (the topic is keyed by preset), so any number may share the directory. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return SnapshotSinkConfig.CONFIG_DEF;
    }

    /** Adds the rules across settings: only the leaderboard topic, read as raw bytes. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorRules.copy(super.validate(connectorConfigs));
        ConnectorRules.requireOnlyTopic(config, connectorConfigs, Topics.LEADERBOARD.name());
        return config;
    }
}
