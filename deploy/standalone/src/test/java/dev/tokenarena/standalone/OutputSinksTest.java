package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.sink.PostgresSinkConnector;
import dev.tokenarena.sink.WebhookSinkConnector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stack's optional PostgreSQL and webhook connectors: configs the connectors accept, secrets from the environment. */
class OutputSinksTest {

    private static final Map<String, String> ENV = Map.of(OutputSinks.PG_PASSWORD_ENV, "pg-secret",
            OutputSinks.WEBHOOK_SECRET_ENV, "hook-secret");

    private static List<String> errors(org.apache.kafka.common.config.Config config) {
        return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .map(v -> v.name() + ": " + v.errorMessages()).toList();
    }

    @Test
    void shouldAddNoConnectorWhenNeitherOutputIsAsked() {
        assertEquals(Map.of(), OutputSinks.NONE.connectorConfigs("http://localhost:8081", ENV::get));
    }

    @Test
    void shouldBuildConfigsTheConnectorsAcceptWithSecretsFromTheEnvironment() {
        Map<String, Map<String, String>> configs = new OutputSinks("jdbc:postgresql://db:5432/arena", "arena",
                "https://hooks.example.com/T1/B2", "slack").connectorConfigs("http://localhost:8081", ENV::get);

        assertEquals(List.of(OutputSinks.PG_CONNECTOR, OutputSinks.WEBHOOK_CONNECTOR), List.copyOf(configs.keySet()));
        Map<String, String> pg = configs.get(OutputSinks.PG_CONNECTOR);
        assertEquals(List.of(), errors(new PostgresSinkConnector().validate(pg)));
        assertEquals("arena.composites.v1,arena.alerts.drift.v1,arena.probe.results.v1", pg.get("topics"));
        assertEquals("pg-secret", pg.get("pg.password"));
        Map<String, String> hook = configs.get(OutputSinks.WEBHOOK_CONNECTOR);
        assertEquals(List.of(), errors(new WebhookSinkConnector().validate(hook)));
        assertEquals("slack", hook.get("webhook.format"));
        assertEquals("hook-secret", hook.get("webhook.hmac.secret"));
        assertTrue(configs.values().stream().allMatch(c -> "arena.dlq.v1".equals(c.get("errors.deadletterqueue.topic.name"))));
    }

    @Test
    void shouldLeaveSecretsOutWhenTheEnvironmentHasNone() {
        Map<String, Map<String, String>> configs = new OutputSinks("jdbc:postgresql://db/arena", null,
                "http://127.0.0.1:9000/hook", "json").connectorConfigs("http://localhost:8081", name -> null);
        assertTrue(!configs.get(OutputSinks.PG_CONNECTOR).containsKey("pg.password"));
        assertTrue(!configs.get(OutputSinks.WEBHOOK_CONNECTOR).containsKey("webhook.hmac.secret"));
    }
}
