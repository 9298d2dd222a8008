package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.config.Config;

/**
 * Publishes leaderboard snapshots as files: {@code leaderboard-<preset>.json} and {@code .csv}
 * in the output contract of DESIGN section 9, plus a versioned copy of each with provenance.
 *
 * <p>Minimal config: {@code connector.class=dev.tokenarena.sink.SnapshotSinkConnector},
 * {@code topics=arena.leaderboard.v1},
 * {@code value.converter=org.apache.kafka.connect.converters.ByteArrayConverter},
 * {@code schema.registry.url}, {@code snapshot.dir}.
 */
public final class SnapshotSinkConnector extends ArenaSinkConnector {

    /** Any number of tasks: they write different presets (the topic is keyed by preset), so they may share the directory. */
    public SnapshotSinkConnector() {
        super(SnapshotSinkConfig.CONFIG_DEF, SnapshotSinkTask.class, SnapshotSinkConfig::new, Tasks.ANY);
    }

    /** Adds the rules across settings: only the leaderboard topic, read as raw bytes. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorRules.copy(super.validate(connectorConfigs));
        ConnectorRules.requireOnlyTopic(config, connectorConfigs, Topics.LEADERBOARD.name());
        return config;
    }
}
