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
 * Sends drift alerts to a webhook (DESIGN section 8): generic JSON or a Slack incoming-webhook
 * body, optionally HMAC-signed, retried with backoff, refused ones to the DLQ. See
 * {@link WebhookSinkTask} for the delivery rules.
 *
 * <p>Minimal config: {@code connector.class=dev.tokenarena.sink.WebhookSinkConnector},
 * {@code topics=arena.alerts.drift.v1},
 * {@code value.converter=org.apache.kafka.connect.converters.ByteArrayConverter},
 * {@code schema.registry.url}, {@code webhook.url}.
 */
public final class WebhookSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return Versions.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        // Parse once here so a bad setting fails the connector, not each task later.
        new WebhookSinkConfig(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return WebhookSinkTask.class;
    }

    /**
     * Any number: Connect keeps each partition in order within one task, and the alerts topic is
     * keyed by endpoint, so an endpoint's OPEN always reaches the receiver before its RESOLVED.
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return WebhookSinkConfig.CONFIG_DEF;
    }

    /** Adds the rules across settings: only the alerts topic, read as raw bytes. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorRules.copy(super.validate(connectorConfigs));
        ConnectorRules.requireOnlyTopic(config, connectorConfigs, Topics.ALERTS.name());
        return config;
    }
}
