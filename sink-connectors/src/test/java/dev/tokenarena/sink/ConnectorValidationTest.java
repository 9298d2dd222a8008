package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.junit.jupiter.api.Test;

class ConnectorValidationTest {

    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private static Map<String, String> snapshotConfig(Map<String, String> changes) {
        Map<String, String> props = new HashMap<>(Map.of(
                "connector.class", SnapshotSinkConnector.class.getName(),
                "topics", Topics.LEADERBOARD.name(),
                "value.converter", BYTES,
                SnapshotSinkConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081",
                SnapshotSinkConfig.SNAPSHOT_DIR, "/tmp/arena-out"));
        changes.forEach((k, v) -> {
            if (v == null) {
                props.remove(k);
            } else {
                props.put(k, v);
            }
        });
        return props;
    }

    private static Map<String, String> jsonlConfig(Map<String, String> changes) {
        Map<String, String> props = new HashMap<>(Map.of(
                "connector.class", JsonLinesSinkConnector.class.getName(),
                "topics", "arena.alerts.drift.v1,arena.probe.results.v1",
                "value.converter", BYTES,
                JsonLinesSinkConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081",
                JsonLinesSinkConfig.JSONL_DIR, "/tmp/arena-out",
                JsonLinesSinkConfig.JSONL_FILES, "arena.alerts.drift.v1:alerts.jsonl,arena.probe.results.v1:probe-results.jsonl"));
        props.putAll(changes);
        return props;
    }

    private static Map<String, String> webhookConfig(Map<String, String> changes) {
        Map<String, String> props = new HashMap<>(Map.of(
                "connector.class", WebhookSinkConnector.class.getName(),
                "topics", Topics.ALERTS.name(),
                "value.converter", BYTES,
                WebhookSinkConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081",
                WebhookSinkConfig.URL, "https://hooks.example.com/arena"));
        changes.forEach((k, v) -> {
            if (v == null) {
                props.remove(k);
            } else {
                props.put(k, v);
            }
        });
        return props;
    }

    private static List<String> webhookErrors(Map<String, String> changes) {
        return ConnectorRules.errors(new WebhookSinkConnector().validate(webhookConfig(changes)));
    }

    private static List<String> snapshotErrors(Map<String, String> changes) {
        return ConnectorRules.errors(new SnapshotSinkConnector().validate(snapshotConfig(changes)));
    }

    private static List<String> jsonlErrors(Map<String, String> changes) {
        return ConnectorRules.errors(new JsonLinesSinkConnector().validate(jsonlConfig(changes)));
    }

    private static void assertOneError(List<String> errors, String key, String text) {
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(key + ": "), errors.toString());
        assertTrue(errors.get(0).contains(text), errors.toString());
    }

    @Test
    void shouldAcceptSnapshotConfigWhenComplete() {
        assertEquals(List.of(), snapshotErrors(Map.of()));
    }

    @Test
    void shouldRejectSnapshotConfigWhenDirectoryIsMissing() {
        Map<String, String> changes = new HashMap<>();
        changes.put(SnapshotSinkConfig.SNAPSHOT_DIR, null);
        assertOneError(snapshotErrors(changes), SnapshotSinkConfig.SNAPSHOT_DIR, "Missing required configuration");
    }

    @Test
    void shouldRejectSnapshotConfigWhenTopicIsNotTheLeaderboard() {
        assertOneError(snapshotErrors(Map.of("topics", "arena.leaderboard.v1,arena.composites.v1")), "topics",
                "reads only arena.leaderboard.v1, not arena.composites.v1");
    }

    @Test
    void shouldRejectSnapshotConfigWhenTopicsRegexIsUsed() {
        Map<String, String> changes = new HashMap<>();
        changes.put("topics", null);
        changes.put("topics.regex", "arena\\..*");
        List<String> errors = snapshotErrors(changes);
        assertTrue(errors.contains("topics.regex: topics.regex is not supported: list the catalogue topics in topics"),
                errors.toString());
    }

    @Test
    void shouldRejectSnapshotConfigWhenValueConverterIsNotByteArray() {
        assertOneError(snapshotErrors(Map.of("value.converter", "org.apache.kafka.connect.json.JsonConverter")),
                "value.converter", "must be " + BYTES);
    }

    @Test
    void shouldRejectRegistryUrlWithoutEchoingItWhenSchemeIsWrong() {
        List<String> errors = snapshotErrors(Map.of(SnapshotSinkConfig.SCHEMA_REGISTRY_URL, "ftp://u:canary-51@host"));
        assertOneError(errors, SnapshotSinkConfig.SCHEMA_REGISTRY_URL, "http(s)://host");
        assertFalse(errors.get(0).contains("canary-51"), "the URL may hold a password: " + errors);
    }

    @Test
    void shouldRejectFactoryWhenClassDoesNotImplementTheInterface() {
        assertOneError(snapshotErrors(Map.of(SnapshotSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, String.class.getName())),
                SnapshotSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, "must implement");
    }

    @Test
    void shouldFailConnectorStartWhenConfigIsInvalid() {
        Map<String, String> props = snapshotConfig(Map.of(SnapshotSinkConfig.MAX_RETRIES, "-1"));
        ConfigException e = assertThrows(ConfigException.class, () -> new SnapshotSinkConnector().start(props));
        assertTrue(e.getMessage().contains(SnapshotSinkConfig.MAX_RETRIES), e.getMessage());
    }

    @Test
    void shouldAcceptJsonLinesConfigWhenEveryTopicIsMapped() {
        assertEquals(List.of(), jsonlErrors(Map.of()));
    }

    @Test
    void shouldRejectJsonLinesConfigWhenTopicIsNotInCatalogue() {
        List<String> errors = jsonlErrors(Map.of("topics", "arena.alerts.drift.v1,arena.made.up.v1"));
        assertOneError(errors, "topics", "topic arena.made.up.v1 is not in the catalogue");
    }

    @Test
    void shouldRejectJsonLinesConfigWhenTopicHasNoFile() {
        List<String> errors = jsonlErrors(Map.of(JsonLinesSinkConfig.JSONL_FILES, "arena.alerts.drift.v1:alerts.jsonl"));
        assertOneError(errors, "topics", "topic arena.probe.results.v1 has no file in jsonl.files");
    }

    @Test
    void shouldRejectJsonLinesFilesWhenMappedTopicIsUnknown() {
        List<String> errors = jsonlErrors(Map.of("topics", "arena.alerts.drift.v1",
                JsonLinesSinkConfig.JSONL_FILES, "arena.alerts.drift.v1:alerts.jsonl,arena.nope.v1:nope.jsonl"));
        assertOneError(errors, JsonLinesSinkConfig.JSONL_FILES, "topic arena.nope.v1 is not in the catalogue");
    }

    @Test
    void shouldRejectJsonLinesFilesWhenTopicCarriesRawBytes() {
        List<String> errors = jsonlErrors(Map.of("topics", Topics.DLQ.name(),
                JsonLinesSinkConfig.JSONL_FILES, Topics.DLQ.name() + ":dlq.jsonl"));
        assertTrue(errors.contains(JsonLinesSinkConfig.JSONL_FILES + ": Invalid value arena.dlq.v1:dlq.jsonl for "
                + "configuration jsonl.files: topic arena.dlq.v1 carries raw bytes, not Avro"), errors.toString());
    }

    @Test
    void shouldRejectJsonLinesFilesWhenFileNameLeavesTheDirectory() {
        List<String> errors = jsonlErrors(Map.of("topics", "arena.alerts.drift.v1",
                JsonLinesSinkConfig.JSONL_FILES, "arena.alerts.drift.v1:../alerts.jsonl"));
        assertOneError(errors, JsonLinesSinkConfig.JSONL_FILES, "no directories");
    }

    @Test
    void shouldRejectJsonLinesFilesWhenEntryHasNoColon() {
        List<String> errors = jsonlErrors(Map.of("topics", "arena.alerts.drift.v1",
                JsonLinesSinkConfig.JSONL_FILES, "arena.alerts.drift.v1"));
        assertTrue(errors.get(0).contains("expected topic:filename"), errors.toString());
    }

    @Test
    void shouldRejectJsonLinesFilesWhenTwoTopicsShareAFile() {
        List<String> errors = jsonlErrors(Map.of(JsonLinesSinkConfig.JSONL_FILES,
                "arena.alerts.drift.v1:all.jsonl,arena.probe.results.v1:all.jsonl"));
        assertTrue(errors.get(0).contains("file all.jsonl is used by two topics"), errors.toString());
    }

    private static List<String> pgErrors(Map<String, String> changes) {
        Map<String, String> props = new HashMap<>(Map.of(
                "connector.class", PostgresSinkConnector.class.getName(),
                "topics", "arena.composites.v1,arena.alerts.drift.v1,arena.probe.results.v1",
                "value.converter", BYTES,
                PostgresSinkConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081",
                PostgresSinkConfig.PG_URL, "jdbc:postgresql://db:5432/arena"));
        props.putAll(changes);
        return ConnectorRules.errors(new PostgresSinkConnector().validate(props));
    }

    @Test
    void shouldAcceptPostgresConfigWithTheDefaultTables() {
        assertEquals(List.of(), pgErrors(Map.of()));
    }

    @Test
    void shouldRejectPostgresConfigWhenTopicHasNoTable() {
        List<String> errors = pgErrors(Map.of(PostgresSinkConfig.PG_TABLES, "arena.alerts.drift.v1:drift_alerts,"
                + "arena.composites.v1:composites"));
        assertOneError(errors, "topics", "topic arena.probe.results.v1 has no table in pg.tables");
    }

    @Test
    void shouldRejectPostgresConfigWhenUrlIsNotJdbcPostgres() {
        List<String> errors = pgErrors(Map.of(PostgresSinkConfig.PG_URL, "postgres://u:secret@db/arena"));
        assertOneError(errors, PostgresSinkConfig.PG_URL, "must be a jdbc:postgresql: URL");
        assertTrue(errors.stream().noneMatch(e -> e.contains("secret")), errors.toString());
    }

    void shouldAcceptWebhookConfigWhenComplete() {
        assertEquals(List.of(), webhookErrors(Map.of()));
    }

    @Test
    void shouldRejectWebhookConfigWhenUrlIsMissing() {
        Map<String, String> changes = new HashMap<>();
        changes.put(WebhookSinkConfig.URL, null);
        assertOneError(webhookErrors(changes), WebhookSinkConfig.URL, "Missing required configuration");
    }

    @Test
    void shouldRejectWebhookUrlWithoutEchoingItWhenSchemeIsNotHttp() {
        List<String> errors = webhookErrors(Map.of(WebhookSinkConfig.URL, "ftp://files.example.com/canary-62"));
        assertOneError(errors, WebhookSinkConfig.URL, "must be an http or https URL");
        assertTrue(errors.get(0).contains("the scheme was ftp"), errors.toString());
        assertFalse(errors.get(0).contains("canary-62"), "the URL may hold a secret: " + errors);
    }

    @Test
    void shouldRejectWebhookConfigWhenTopicIsNotTheAlerts() {
        assertOneError(webhookErrors(Map.of("topics", Topics.ALERTS.name() + "," + Topics.LEADERBOARD.name())),
                "topics", "reads only arena.alerts.drift.v1, not arena.leaderboard.v1");
    }

    @Test
    void shouldRejectWebhookConfigWhenFormatIsUnknown() {
        List<String> errors = webhookErrors(Map.of(WebhookSinkConfig.FORMAT, "xml"));
        assertOneError(errors, WebhookSinkConfig.FORMAT, "Invalid value xml for configuration webhook.format");
        // Kafka lists the choices in set order.
        assertTrue(errors.get(0).contains("JSON") && errors.get(0).contains("SLACK"), errors.toString());
    }

    @Test
    void shouldRejectWebhookConfigWhenValueConverterIsNotByteArray() {
        assertOneError(webhookErrors(Map.of("value.converter", "org.apache.kafka.connect.json.JsonConverter")),
                "value.converter", "must be " + BYTES);
    }

    @Test
    void shouldFailWebhookConnectorStartWhenRetriesAreNegative() {
        Map<String, String> props = webhookConfig(Map.of(WebhookSinkConfig.MAX_RETRIES, "-1"));
        ConfigException e = assertThrows(ConfigException.class, () -> new WebhookSinkConnector().start(props));
        assertTrue(e.getMessage().contains(WebhookSinkConfig.MAX_RETRIES), e.getMessage());
    }

    @Test
    void shouldKeepSecretsOutOfWebhookConfigToString() {
        String text = new WebhookSinkConfig(webhookConfig(Map.of(WebhookSinkConfig.URL,
                "https://hooks.slack.com:443/services/T0/B0/canary-url-3", WebhookSinkConfig.HMAC_SECRET,
                "canary-hmac-4"))).toString();
        assertEquals("WebhookSinkConfig{url=https://hooks.slack.com:443/..., format=json, signed=true, "
                + "timeoutMs=10000, maxRetries=5, retryBackoffMs=500, retryBackoffMaxMs=10000}", text);
    }

    @Test
    void shouldFindAllConnectorsWhenServiceLoaded() {
        List<String> found = ServiceLoader.load(SinkConnector.class).stream()
                .map(p -> p.type().getName()).sorted().toList();
        assertEquals(List.of(JsonLinesSinkConnector.class.getName(), PostgresSinkConnector.class.getName(),
                SnapshotSinkConnector.class.getName(), WebhookSinkConnector.class.getName()), found);
    }
}
