package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The PostgreSQL history sink against a real PostgreSQL server ({@link PostgresServer}), one
 * fresh database per test. Expected values are the fixtures' own numbers (see {@link Fixtures}).
 */
class PostgresSinkTaskTest {

    private static final String ALERTS = Topics.ALERTS.name();
    private static final String COMPOSITES = Topics.COMPOSITES.name();

    private PostgresServer server;
    private String url;
    private final List<PostgresSinkTask> tasks = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) throws SQLException {
        String why = PostgresServer.unavailableReason();
        assumeTrue(why == null, "no PostgreSQL here: " + why);
        server = PostgresServer.shared();
        url = server.newDatabase(("t_" + info.getTestMethod().orElseThrow().getName()).toLowerCase().substring(0, 40));
    }

    @AfterEach
    void tearDown() {
        tasks.forEach(PostgresSinkTask::stop);
    }

    private PostgresSinkTask task(FakeSinkTaskContext context, Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                "name", "pg",
                PostgresSinkConfig.PG_URL, url,
                PostgresSinkConfig.PG_USER, "postgres",
                PostgresSinkConfig.SCHEMA_REGISTRY_URL, "http://registry.test:8081",
                PostgresSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, InMemoryRegistryFactory.class.getName()));
        props.putAll(overrides);
        PostgresSinkTask task = new PostgresSinkTask();
        task.initialize(context);
        task.start(props);
        tasks.add(task);
        return task;
    }

    private static byte[] alert(DriftAlert alert) {
        return AvroWireSerde.forTopic(Topics.ALERTS, InMemoryRegistryFactory.REGISTRY).encode(ALERTS, alert);
    }

    private static byte[] composite(EndpointComposite composite) {
        return AvroWireSerde.forTopic(Topics.COMPOSITES, InMemoryRegistryFactory.REGISTRY).encode(COMPOSITES, composite);
    }

    /** The fixture board's two composites: 87.5 with every figure, 62.25 with no eval data. */
    private static List<SinkRecord> records() {
        var rows = Fixtures.snapshot(Fixtures.GENERATED_AT_MS).getRows();
        return List.of(
                Fixtures.record(ALERTS, 0, 0, "acme", alert(Fixtures.alert("a-1", "OPEN"))),
                Fixtures.record(COMPOSITES, 3, 10, "acme", composite(rows.get(0).getComposite())),
                Fixtures.record(COMPOSITES, 4, 7, "base", composite(rows.get(1).getComposite())),
                Fixtures.record(ALERTS, 0, 1, "acme", alert(Fixtures.alert("a-1", "RESOLVED"))));
    }

    private <T> List<T> query(String sql, ResultMapper<T> mapper) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private long count(String table) throws SQLException {
        return query("SELECT count(*) FROM " + table, rs -> rs.getLong(1)).get(0);
    }

    interface ResultMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @Test
    void shouldWriteOneRowPerRecordWithFieldsAsColumnsWhenFlushed() throws SQLException {
        PostgresSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        task.put(records());
        assertEquals(0, count("drift_alerts"), "nothing is written before flush");
        task.flush(Map.of());

        assertEquals(List.of("0/0 a-1 OPEN 1767229200000 99.6", "0/1 a-1 RESOLVED 1767229200000 99.6"),
                query("SELECT kafka_partition, kafka_offset, alert_id, state, opened_at_ms, evidence->>'baseline' "
                        + "FROM drift_alerts ORDER BY kafka_offset", rs -> rs.getInt(1) + "/" + rs.getLong(2) + " "
                        + rs.getString(3) + " " + rs.getString(4) + " " + rs.getLong(5) + " " + rs.getString(6)));
        // Row 1: score 87.5, TTFT p99 880 ms, accuracy 0.8, eu-central TTFT p50 310 ms (a map, as jsonb),
        // factor ttft 0.75 from the factors record (jsonb). Row 2 has no eval data: accuracy NULL.
        assertEquals(List.of("acme-llama70b-fp8-use1 87.5 880.0 0.8 310.0 0.75 acme",
                        "base-llama70b-bf16-euc1 62.25 400.0 null null 0.0 base"),
                query("SELECT endpoint_id, score, ttft_ms_p99, accuracy, ttft_ms_p50_by_region->>'eu-central', "
                        + "factors->>'ttft', record_key FROM composites ORDER BY score DESC",
                        rs -> rs.getString(1) + " " + rs.getDouble(2) + " " + rs.getDouble(3) + " "
                                + rs.getObject(4) + " " + rs.getString(5) + " " + rs.getString(6) + " " + rs.getString(7)));
        assertEquals(4, task.rowsWritten());
        assertEquals(0, task.skippedRecords());
    }

    @Test
    void shouldWriteARedeliveredRecordOnceWhenConnectHandsItAgain() throws SQLException {
        PostgresSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        task.put(records());
        task.flush(Map.of());
        task.put(records()); // a rewind after a failed commit, or a restart from older offsets
        task.flush(Map.of());

        assertEquals(2, count("drift_alerts"));
        assertEquals(2, count("composites"));
    }

    @Test
    void shouldDocumentColumnsAndAddTheColumnsATableLacksWhenTheTaskStarts() throws SQLException {
        task(new FakeSinkTaskContext(true), Map.of()).stop();
        // The Avro doc of ttft_ms_p99 becomes the column comment.
        String doc = query("SELECT col_description('composites'::regclass, attnum) FROM pg_attribute "
                + "WHERE attrelid = 'composites'::regclass AND attname = 'ttft_ms_p99'", rs -> rs.getString(1)).get(0);
        assertEquals("99th percentile time to first token, milliseconds.", doc);
        // A table made by an older release lacks a later field: the next start adds it back.
        execute("ALTER TABLE composites DROP COLUMN fidelity_method");
        PostgresSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        task.put(records());
        task.flush(Map.of());
        assertEquals(1, query("SELECT 1 FROM information_schema.columns WHERE table_name = 'composites' "
                + "AND column_name = 'fidelity_method'", rs -> 1).size());
        assertEquals(2, count("composites"));
    }

    @Test
    void shouldKeepEveryRecordWhenTheDatabaseStopsAndComesBack() throws Exception {
        PostgresSinkTask task = task(new FakeSinkTaskContext(true), Map.of(PostgresSinkConfig.BATCH_MAX_ROWS, "3"));
        task.put(records().subList(0, 2));
        task.flush(Map.of());
        server.stop();
        try {
            // Held rows cannot be written: flush fails, so Connect commits nothing and rewinds.
            task.put(records().subList(2, 3));
            assertThrows(ConnectException.class, () -> task.flush(Map.of()));
            // A put that reaches the batch size fails as retriable: Connect hands the records again.
            assertThrows(RetriableException.class, () -> task.put(records()));
        } finally {
            server.start(60);
        }
        // Connect redelivers from the last committed offsets: the first two again, then the rest.
        task.put(records());
        task.flush(Map.of());
        assertEquals(2, count("drift_alerts"));
        assertEquals(2, count("composites"));
    }

    @Test
    void shouldDeadLetterUndecodableRecordAndWriteTheOthers() throws SQLException {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        PostgresSinkTask task = task(context, Map.of());
        List<SinkRecord> batch = new ArrayList<>(records());
        batch.add(1, Fixtures.record(ALERTS, 0, 5, "acme", new byte[] {0, 0, 0, 0, 99, 1, 2}));
        task.put(batch);
        task.flush(Map.of());

        assertEquals(1, task.skippedRecords());
        assertEquals(1, context.reported.size());
        assertEquals(2, count("drift_alerts"));
    }

    @Test
    void shouldDeadLetterARowTheDatabaseRefusesAndWriteTheOthers() throws SQLException {
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        PostgresSinkTask task = task(context, Map.of());
        // A user's own rule on the history table: the RESOLVED alert (offset 1) breaks it.
        execute("ALTER TABLE drift_alerts ADD CONSTRAINT only_open CHECK (state = 'OPEN')");
        task.put(records());
        task.flush(Map.of());

        assertEquals(1, task.skippedRecords());
        assertEquals(1, context.reported.size());
        String reason = context.reported.get(0).error().getMessage();
        assertTrue(reason.contains("public.drift_alerts") && reason.contains("only_open") && reason.contains("23514"), reason);
        assertEquals(1, count("drift_alerts"));
        assertEquals(2, count("composites"), "the rows of the same batch are written");
    }

    @Test
    void shouldStoreNulCharactersAsReplacementCharactersWhenTextHoldsThem() throws SQLException {
        PostgresSinkTask task = task(new FakeSinkTaskContext(true), Map.of());
        DriftAlert a = Fixtures.alert("a-\u0000-9", "OPEN");
        a.setSummary("bad\u0000byte");
        task.put(List.of(Fixtures.record(ALERTS, 1, 0, "acme", alert(a))));
        task.flush(Map.of());

        assertEquals(List.of("a-\uFFFD-9 bad\uFFFDbyte"),
                query("SELECT alert_id, summary FROM drift_alerts", rs -> rs.getString(1) + " " + rs.getString(2)));
    }

    @Test
    void shouldRefuseConfigNamingTheKeyWithoutEchoingTheUrl() {
        ConfigException bad = assertThrows(ConfigException.class, () -> new PostgresSinkConfig(Map.of(
                PostgresSinkConfig.PG_URL, "mysql://db/arena?password=hunter2",
                PostgresSinkConfig.SCHEMA_REGISTRY_URL, "http://registry.test:8081")));
        assertTrue(bad.getMessage().contains(PostgresSinkConfig.PG_URL), bad.getMessage());
        assertFalse(bad.getMessage().contains("hunter2"), bad.getMessage());

        ConfigException table = assertThrows(ConfigException.class, () -> new PostgresSinkConfig(Map.of(
                PostgresSinkConfig.PG_URL, "jdbc:postgresql://db/arena",
                PostgresSinkConfig.PG_TABLES, ALERTS + ":Drift-Alerts",
                PostgresSinkConfig.SCHEMA_REGISTRY_URL, "http://registry.test:8081")));
        assertTrue(table.getMessage().contains("table name must match"), table.getMessage());
    }
}
