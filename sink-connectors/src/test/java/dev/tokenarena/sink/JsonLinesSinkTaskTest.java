package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALERTS = Topics.ALERTS.name();
    private static final String PRICES = Topics.PRICES.name();

    @TempDir
    Path dir;

    private JsonLinesSinkTask task(FakeSinkTaskContext context, Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                "name", "jsonl",
                JsonLinesSinkConfig.JSONL_DIR, dir.toString(),
                JsonLinesSinkConfig.JSONL_FILES, ALERTS + ":alerts.jsonl," + PRICES + ":prices.jsonl",
                JsonLinesSinkConfig.SCHEMA_REGISTRY_URL, "http://registry.test:8081",
                JsonLinesSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, InMemoryRegistryFactory.class.getName()));
        props.putAll(overrides);
        JsonLinesSinkTask task = new JsonLinesSinkTask();
        task.initialize(context);
        task.start(props);
        return task;
    }

    private static byte[] alert(DriftAlert alert) {
        return AvroWireSerde.forTopic(Topics.ALERTS, InMemoryRegistryFactory.REGISTRY).encode(ALERTS, alert);
    }

    private static byte[] price(PriceQuote quote) {
        return AvroWireSerde.forTopic(Topics.PRICES, InMemoryRegistryFactory.REGISTRY).encode(PRICES, quote);
    }

    private List<String> lines(String file) throws IOException {
        return Files.readAllLines(dir.resolve(file));
    }

    @Test
    void shouldAppendOneJsonLinePerRecordWhenFlushed() throws IOException {
        JsonLinesSinkTask task = task(new FakeSinkTaskContext(true), Map.of());

        task.put(List.of(
                Fixtures.record(ALERTS, 0, 0, "acme", alert(Fixtures.alert("a-1", "OPEN"))),
                Fixtures.record(PRICES, 1, 0, "acme", price(Fixtures.price(0.88))),
                Fixtures.record(ALERTS, 0, 1, "acme", alert(Fixtures.alert("a-1", "RESOLVED")))));

        assertFalse(Files.exists(dir.resolve("alerts.jsonl")), "nothing is written before flush");
        task.flush(Map.of());

        List<String> alerts = lines("alerts.jsonl");
        assertEquals(2, alerts.size());
        JsonNode opened = JSON.readTree(alerts.get(0));
        assertEquals("a-1", opened.get("alert_id").asText());
        assertEquals("OPEN", opened.get("state").asText());
        assertEquals(1_767_229_200_000L, opened.get("opened_at_ms").asLong());
        // Unions unwrapped: 99.6, not {"double": 99.6}.
        assertEquals(99.6, opened.get("evidence").get("baseline").asDouble());
        assertTrue(opened.get("evidence").get("baseline").isDouble());
        assertEquals("RESOLVED", JSON.readTree(alerts.get(1)).get("state").asText());

        List<String> prices = lines("prices.jsonl");
        assertEquals(1, prices.size());
        assertEquals(0.88, JSON.readTree(prices.get(0)).get("input_usd_per_mtok").asDouble());
        task.stop();
    }

    @Test
    void shouldAppendToExistingFileWhenTaskRestarts() throws IOException {
        JsonLinesSinkTask first = task(new FakeSinkTaskContext(true), Map.of());
        first.put(List.of(Fixtures.record(ALERTS, 0, 0, "acme", alert(Fixtures.alert("a-1", "OPEN")))));
        first.stop();

        JsonLinesSinkTask second = task(new FakeSinkTaskContext(true), Map.of());
        second.put(List.of(Fixtures.record(ALERTS, 0, 1, "acme", alert(Fixtures.alert("a-2", "OPEN")))));
        second.stop();

        List<String> alerts = lines("alerts.jsonl");
        assertEquals(List.of("a-1", "a-2"), alerts.stream().map(l -> {
            try {
                return JSON.readTree(l).get("alert_id").asText();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList(), "stop() wrote the pending line; the second task appended");
    }

    @Test
    void shouldSkipAndReportPoisonRecordWhenValueCannotBeDecoded() throws IOException {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        JsonLinesSinkTask task = task(context, Map.of());

        task.put(List.of(
                Fixtures.record(ALERTS, 4, 10, "acme", new byte[] {0, 0, 0}),
                Fixtures.record(ALERTS, 4, 11, "acme", alert(Fixtures.alert("a-9", "OPEN")))));
        task.flush(Map.of());

        assertEquals(1, context.reported.size());
        assertEquals(10, context.reported.get(0).record().kafkaOffset());
        assertEquals(4, context.reported.get(0).record().kafkaPartition());
        assertEquals(1, task.skippedRecords());
        assertEquals(1, lines("alerts.jsonl").size());
        task.stop();
    }

    @Test
    void shouldWriteEarlyWhenBufferExceedsLimit() throws IOException {
        JsonLinesSinkTask task = task(new FakeSinkTaskContext(true), Map.of(JsonLinesSinkConfig.BUFFER_MAX_CHARS, "1024"));
        byte[] value = alert(Fixtures.alert("a-1", "OPEN"));
        int lineChars = AvroJsonLength.of(Fixtures.alert("a-1", "OPEN")) + 1;
        int records = 1024 / lineChars + 1;

        for (int i = 0; i < records; i++) {
            task.put(List.of(Fixtures.record(ALERTS, 0, i, "acme", value)));
        }

        // The limit is crossed by the last put, which writes every pending line without a flush.
        assertEquals(records, lines("alerts.jsonl").size());
        task.stop();
    }

    /** The length of a record's JSON line, to size the buffer test. */
    private static final class AvroJsonLength {
        static int of(DriftAlert alert) {
            return dev.tokenarena.schemas.serde.AvroJson.toJson(alert).length();
        }
    }
}
