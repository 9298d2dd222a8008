package dev.tokenarena.sink;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts each record of the mapped topics as one row of its table ({@link PgTable}). Rows are
 * held until {@link #flush} (or until {@code pg.batch.max.rows}) and written in one transaction;
 * the primary key (partition, offset) with {@code ON CONFLICT DO NOTHING} makes a redelivered
 * record a no-op, so the table holds every committed record exactly once although Connect
 * delivers at least once.
 *
 * <p>Nothing is lost when the database is away: a failed write in {@code put} throws
 * {@link RetriableException} (Connect hands the same records again after its backoff), and a
 * failed write in {@code flush} throws, so Connect does not commit the offsets and rewinds to the
 * last committed ones. A row the database refuses (a data error, not a connection error) is
 * found by writing the batch again row by row and goes to the DLQ with PostgreSQL's message; the
 * others are written.
 */
public final class PostgresSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(PostgresSinkTask.class);
    private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

    private PostgresSinkConfig config;
    private TopicDecoder decoder;
    private final Map<String, PgTable> tables = new LinkedHashMap<>();
    private final List<Row> pending = new ArrayList<>();
    private PoisonRecords poison;
    private String logPrefix;
    private Connection connection;
    private long rowsWritten;

    /** A decoded record waiting for its transaction. */
    private record Row(SinkRecord record, PgTable table, SpecificRecord value) {
    }

    @Override
    public String version() {
        return Versions.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new PostgresSinkConfig(props);
        logPrefix = "PostgresSinkTask[" + props.getOrDefault("name", "?") + "]";
        SchemaRegistryClient registry = RegistrySettings.client(config);
        config.tablesByTopic().forEach((topic, table) ->
                tables.put(topic, new PgTable(config.schema(), table, topic, schemaOf(Topics.byName(topic).orElseThrow()))));
        poison = new PoisonRecords(logPrefix, context);
        decoder = new TopicDecoder(tables.keySet(), registry, poison, PostgresSinkConfig.PG_TABLES, logPrefix);
        try {
            connection();
        } catch (SQLException e) {
            // Not fatal: the first write connects again, and Connect retries until it can.
            log.warn("{} database not reachable at start, will retry on the first write: {}", logPrefix, describe(e));
        }
        log.info("{} writing {} into schema {}", logPrefix, config.tablesByTopic(), config.schema());
    }

    private static org.apache.avro.Schema schemaOf(TopicSpec<?> spec) {
        try {
            return (org.apache.avro.Schema) spec.valueType().getMethod("getClassSchema").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(spec.valueType().getName() + " is not a generated Avro class", e);
        }
    }

    /** The open connection, opened (and every table ensured) when there is none. */
    private Connection connection() throws SQLException {
        if (connection != null && !connection.isClosed()) {
            return connection;
        }
        Properties props = new Properties();
        if (!config.user().isEmpty()) {
            props.setProperty("user", config.user());
        }
        if (!config.password().value().isEmpty()) {
            props.setProperty("password", config.password().value());
        }
        // The driver itself, not DriverManager: under Connect's plugin class loader DriverManager
        // may not see a driver that the plugin brought.
        Connection c = DRIVER.connect(config.url().value(), props);
        if (c == null) {
            throw new SQLException(PostgresSinkConfig.PG_URL + " is not a URL the PostgreSQL driver accepts", "08001");
        }
        try {
            c.setAutoCommit(false);
            for (PgTable t : tables.values()) {
                List<String> added = t.ensure(c);
                if (!added.isEmpty()) {
                    log.info("{} table {}: added columns {}", logPrefix, t.name(), added);
                }
            }
            c.commit();
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        connection = c;
        return c;
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        int before = pending.size();
        for (SinkRecord record : records) {
            handle(record);
        }
        if (pending.size() >= config.batchMaxRows()) {
            try {
                write();
            } catch (SQLException e) {
                // This call's records come again with the retry; the earlier ones stay held.
                pending.subList(Math.min(before, pending.size()), pending.size()).clear();
                throw new RetriableException(logPrefix + " cannot write to PostgreSQL: " + describe(e), e);
            }
        }
    }

    private void handle(SinkRecord record) {
        SpecificRecord value = decoder.decode(record);
        if (value == null) {
            return;
        }
        PgTable table = tables.get(record.topic());
        pending.add(new Row(record, table, value));
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            write();
        } catch (SQLException e) {
            // Connect skips this commit and rewinds to the last committed offsets: the held rows
            // come again, so they are let go here rather than held twice.
            pending.clear();
            throw new ConnectException(logPrefix + " cannot write to PostgreSQL: " + describe(e), e);
        }
    }

    /** Writes every held row in one transaction; the held rows are gone when it returns. */
    private void write() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        Connection c;
        try {
            c = connection();
            insertBatch(c);
            c.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            if (connectionLost(e)) {
                closeQuietly(connection);
                connection = null;
                throw e;
            }
            // A row the database refuses: find it row by row, dead-letter it, keep the others.
            c = connection();
            insertOneByOne(c);
            c.commit();
        }
        rowsWritten += pending.size();
        pending.clear();
    }

    private void insertBatch(Connection c) throws SQLException {
        Map<PgTable, PreparedStatement> statements = new LinkedHashMap<>();
        try {
            for (Row row : pending) {
                PreparedStatement ps = statements.get(row.table());
                if (ps == null) {
                    ps = c.prepareStatement(row.table().insertSql());
                    statements.put(row.table(), ps);
                }
                bind(ps, row);
                ps.addBatch();
            }
            for (PreparedStatement ps : statements.values()) {
                ps.executeBatch();
            }
        } finally {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
        }
    }

    private void insertOneByOne(Connection c) throws SQLException {
        for (Row row : pending) {
            Savepoint sp = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement(row.table().insertSql())) {
                bind(ps, row);
                ps.executeUpdate();
                c.releaseSavepoint(sp);
            } catch (SQLException e) {
                if (connectionLost(e)) {
                    throw e;
                }
                c.rollback(sp);
                poison.report(row.record(), "PostgreSQL refused the row for " + row.table().name() + ": "
                        + describe(e), e);
            }
        }
    }

    private static void bind(PreparedStatement ps, Row row) throws SQLException {
        SinkRecord r = row.record();
        Object key = r.key();
        String keyText = key == null ? null : key instanceof byte[] b
                ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : key.toString();
        row.table().bind(ps, r.originalKafkaPartition(), r.originalKafkaOffset(), r.timestamp(), keyText, row.value());
    }

    /** SQLState class 08 (connection exception) or 57P0x (shutdown): the database, not the row. */
    static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")";
        SQLException next = e.getNextException();
        String detail = next != null && next != e && next.getMessage() != null ? "; " + next.getMessage() : "";
        return e.getMessage() + state + detail;
    }

    private void rollbackQuietly() {
        try {
            if (connection != null && !connection.isClosed()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            log.debug("{} rollback failed: {}", logPrefix, e.toString());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            // closing a broken connection: nothing to do
        }
    }

    /** Rows written since start, for tests and the log. */
    long rowsWritten() {
        return rowsWritten;
    }

    /** Records skipped since start, for tests. */
    long skippedRecords() {
        return poison.count();
    }

    @Override
    public void stop() {
        log.info("{} stopping after {} rows written", logPrefix, rowsWritten);
        closeQuietly(connection);
        connection = null;
    }
}
