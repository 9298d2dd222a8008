package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.config.Config;

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
public final class WebhookSinkConnector extends ArenaSinkConnector {

    /**
     * Any number of tasks: Connect keeps each partition in order within one task, and the alerts
     * topic is keyed by endpoint, so an endpoint's OPEN always reaches the receiver before its RESOLVED.
     */
    public WebhookSinkConnector() {
        super(WebhookSinkConfig.CONFIG_DEF, WebhookSinkTask.class, WebhookSinkConfig::new, Tasks.ANY);
    }

    /** Adds the rules across settings: only the alerts topic, read as raw bytes. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = ConnectorRules.copy(super.validate(connectorConfigs));
        ConnectorRules.requireOnlyTopic(config, connectorConfigs, Topics.ALERTS.name());
        return config;
    }
}
