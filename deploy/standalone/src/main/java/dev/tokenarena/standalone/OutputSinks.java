package dev.tokenarena.standalone;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.config.CommonConfig;
import dev.tokenarena.sink.PostgresSinkConfig;
import dev.tokenarena.sink.PostgresSinkConnector;
import dev.tokenarena.sink.WebhookSinkConfig;
import dev.tokenarena.sink.WebhookSinkConnector;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The optional outputs of {@code arena run} and {@code arena demo} beyond the files: history in
 * PostgreSQL and drift alerts to a webhook, as Connect connectors in the stack's worker. Secrets
 * are not options: the database password comes from {@link #PG_PASSWORD_ENV}, the signing secret
 * from {@link #WEBHOOK_SECRET_ENV}.
 *
 * @param historyDb JDBC URL of a PostgreSQL database, or null for none
 * @param historyDbUser its user, or null for the driver's default
 * @param alertWebhook URL alerts are POSTed to, or null for none
 * @param alertWebhookFormat {@code json} or {@code slack}
 */
record OutputSinks(String historyDb, String historyDbUser, String alertWebhook, String alertWebhookFormat) {

    static final String PG_PASSWORD_ENV = "ARENA_PG_PASSWORD";
    static final String WEBHOOK_SECRET_ENV = "ARENA_WEBHOOK_SECRET";
    static final String PG_CONNECTOR = "pg-history";
    static final String WEBHOOK_CONNECTOR = "alert-webhook";

    static final OutputSinks NONE = new OutputSinks(null, null, null, "json");

    /** Connector name to config, in start order; empty when neither output is asked for. */
    Map<String, Map<String, String>> connectorConfigs(String registryUrl, Function<String, String> env) {
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        if (historyDb != null) {
            Map<String, String> pg = defaults(PostgresSinkConnector.class, Topics.COMPOSITES.name() + ","
                    + Topics.ALERTS.name() + "," + Topics.PROBE_RESULTS.name(), registryUrl);
            pg.put(PostgresSinkConfig.PG_URL, historyDb);
            if (historyDbUser != null) {
                pg.put(PostgresSinkConfig.PG_USER, historyDbUser);
            }
            String password = env.apply(PG_PASSWORD_ENV);
            if (password != null && !password.isEmpty()) {
                pg.put(PostgresSinkConfig.PG_PASSWORD, password);
            }
            configs.put(PG_CONNECTOR, pg);
        }
        if (alertWebhook != null) {
            Map<String, String> hook = defaults(WebhookSinkConnector.class, Topics.ALERTS.name(), registryUrl);
            hook.put(WebhookSinkConfig.URL, alertWebhook);
            hook.put(WebhookSinkConfig.FORMAT, alertWebhookFormat);
            String secret = env.apply(WEBHOOK_SECRET_ENV);
            if (secret != null && !secret.isEmpty()) {
                hook.put(WebhookSinkConfig.HMAC_SECRET, secret);
            }
            configs.put(WEBHOOK_CONNECTOR, hook);
        }
        return configs;
    }

    /** What every sink of the stack shares: byte values, the stack's registry, dead letters kept. */
    static Map<String, String> defaults(Class<?> connector, String topics, String registryUrl) {
        Map<String, String> m = new HashMap<>();
        m.put("connector.class", connector.getName());
        m.put("tasks.max", "1");
        m.put("topics", topics);
        m.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        m.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        m.put("errors.tolerance", "all");
        m.put("errors.deadletterqueue.topic.name", Topics.DLQ.name());
        m.put("errors.deadletterqueue.topic.replication.factor", "1");
        m.put("errors.deadletterqueue.context.headers.enable", "true");
        m.put(CommonConfig.SCHEMA_REGISTRY_URL, registryUrl);
        return m;
    }
}
