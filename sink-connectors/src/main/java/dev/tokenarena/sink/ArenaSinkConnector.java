package dev.tokenarena.sink;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * What our sink connectors share: the version, their config parsed once at start (so a bad
 * setting fails the connector, not each task later), the same settings for every task, nothing
 * to stop. A connector adds its own {@code validate} rules across settings.
 */
abstract class ArenaSinkConnector extends SinkConnector {

    /** How many tasks a connector may run. */
    enum Tasks { ANY, ONE }

    private final ConfigDef configDef;
    private final Class<? extends Task> taskClass;
    private final Consumer<Map<String, String>> parse;
    private final Tasks tasks;
    private Map<String, String> props;

    /** @param parse builds the connector's config from the settings, throwing ConfigException when one is bad */
    ArenaSinkConnector(ConfigDef configDef, Class<? extends Task> taskClass, Consumer<Map<String, String>> parse,
                       Tasks tasks) {
        this.configDef = configDef;
        this.taskClass = taskClass;
        this.parse = parse;
        this.tasks = tasks;
    }

    @Override
    public final String version() {
        return Versions.VERSION;
    }

    @Override
    public final void start(Map<String, String> props) {
        parse.accept(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public final Class<? extends Task> taskClass() {
        return taskClass;
    }

    @Override
    public final List<Map<String, String>> taskConfigs(int maxTasks) {
        return tasks == Tasks.ONE ? List.of(props) : Collections.nCopies(maxTasks, props);
    }

    @Override
    public final void stop() {
    }

    @Override
    public final ConfigDef config() {
        return configDef;
    }
}
