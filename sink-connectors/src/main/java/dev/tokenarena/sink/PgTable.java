package dev.tokenarena.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tokenarena.schemas.serde.AvroJson;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * One catalogue topic as one PostgreSQL table: a column per top-level Avro field (scalars as
 * their SQL type, nullable unions as the nullable type, records, arrays and maps as {@code jsonb})
 * plus where the row came from: {@code kafka_partition}, {@code kafka_offset} (together the
 * primary key, so a redelivered record is inserted once), {@code kafka_timestamp} and
 * {@code record_key}. Column comments carry the Avro field docs, units included, so {@code \d+}
 * in psql says what a figure means.
 *
 * <p>Schemas evolve FULL-compatibly (fields are only added, with defaults): at start the table is
 * created when missing and a column added for every field it lacks. Existing columns are never
 * altered or dropped, so a user's views and indexes keep working.
 */
final class PgTable {

    /** Plain SQL identifiers only: table names come from config and end up in DDL. */
    static final Pattern SAFE_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    static final List<String> META_COLUMNS = List.of("kafka_partition", "kafka_offset", "kafka_timestamp", "record_key");

    private final String schemaName;
    private final String table;
    private final String topic;
    private final Schema schema;
    private final List<Column> columns = new ArrayList<>();
    private final String insertSql;

    /** A column of an Avro field: its SQL type and how a value is bound. */
    record Column(String name, int pos, String sqlType, Kind kind, String doc) {
    }

    enum Kind { TEXT, INT, BIGINT, REAL, DOUBLE, BOOLEAN, BYTES, JSON }

    PgTable(String schemaName, String table, String topic, Schema schema) {
        if (!SAFE_IDENTIFIER.matcher(table).matches() || !SAFE_IDENTIFIER.matcher(schemaName).matches()) {
            throw new IllegalArgumentException("table and schema names must match " + SAFE_IDENTIFIER + ": "
                    + schemaName + "." + table);
        }
        this.schemaName = schemaName;
        this.table = table;
        this.topic = topic;
        this.schema = schema;
        for (Schema.Field f : schema.getFields()) {
            String name = f.name().toLowerCase(Locale.ROOT);
            if (META_COLUMNS.contains(name)) {
                throw new IllegalArgumentException(topic + ": field " + f.name() + " clashes with a metadata column");
            }
            Kind kind = kind(f.schema());
            columns.add(new Column(name, f.pos(), sqlType(kind), kind, f.doc()));
        }
        StringBuilder cols = new StringBuilder("kafka_partition, kafka_offset, kafka_timestamp, record_key");
        StringBuilder marks = new StringBuilder("?, ?, ?, ?");
        for (Column c : columns) {
            cols.append(", ").append(quote(c.name()));
            marks.append(c.kind() == Kind.JSON ? ", ?::jsonb" : ", ?");
        }
        insertSql = "INSERT INTO " + qualified() + " (" + cols + ") VALUES (" + marks
                + ") ON CONFLICT (kafka_partition, kafka_offset) DO NOTHING";
    }

    static Kind kind(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            List<Schema> types = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
            return types.size() == 1 ? kind(types.get(0)) : Kind.JSON;
        }
        return switch (s.getType()) {
            case STRING, ENUM -> Kind.TEXT;
            case INT -> Kind.INT;
            case LONG -> Kind.BIGINT;
            case FLOAT -> Kind.REAL;
            case DOUBLE -> Kind.DOUBLE;
            case BOOLEAN -> Kind.BOOLEAN;
            case BYTES, FIXED -> Kind.BYTES;
            default -> Kind.JSON; // RECORD, ARRAY, MAP
        };
    }

    private static String sqlType(Kind kind) {
        return switch (kind) {
            case TEXT -> "text";
            case INT -> "integer";
            case BIGINT -> "bigint";
            case REAL -> "real";
            case DOUBLE -> "double precision";
            case BOOLEAN -> "boolean";
            case BYTES -> "bytea";
            case JSON -> "jsonb";
        };
    }

    String qualified() {
        return quote(schemaName) + "." + quote(table);
    }

    String name() {
        return schemaName + "." + table;
    }

    String topic() {
        return topic;
    }

    List<Column> columns() {
        return columns;
    }

    private static String quote(String identifier) {
        return "\"" + identifier + "\"";
    }

    /** Creates the table when missing and adds the columns it lacks; returns the added column names. */
    List<String> ensure(Connection c) throws SQLException {
        List<String> added = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schemaName));
            st.execute("CREATE TABLE IF NOT EXISTS " + qualified() + " (kafka_partition integer NOT NULL, "
                    + "kafka_offset bigint NOT NULL, kafka_timestamp timestamptz, record_key text, "
                    + "PRIMARY KEY (kafka_partition, kafka_offset))");
            Set<String> existing = existingColumns(c);
            for (Column col : columns) {
                if (!existing.contains(col.name())) {
                    st.execute("ALTER TABLE " + qualified() + " ADD COLUMN IF NOT EXISTS " + quote(col.name()) + " " + col.sqlType());
                    added.add(col.name());
                }
                if (col.doc() != null && !col.doc().isBlank()) {
                    st.execute("COMMENT ON COLUMN " + qualified() + "." + quote(col.name()) + " IS " + literal(col.doc()));
                }
            }
            st.execute("COMMENT ON TABLE " + qualified() + " IS " + literal("Kafka topic " + topic + " (Avro "
                    + schema.getFullName() + "), one row per record, written by dev.tokenarena.sink.PostgresSinkConnector"));
        }
        return added;
    }

    private Set<String> existingColumns(Connection c) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schemaName);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** A string literal for DDL (COMMENT takes no bind parameters). */
    private static String literal(String text) {
        return "'" + clean(text).replace("'", "''") + "'";
    }

    String insertSql() {
        return insertSql;
    }

    /** Binds one row: the record's coordinates, then each field. */
    void bind(PreparedStatement ps, int partition, long offset, Long timestampMs, String key, IndexedRecord value)
            throws SQLException {
        ps.setInt(1, partition);
        ps.setLong(2, offset);
        if (timestampMs == null) {
            ps.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setTimestamp(3, new Timestamp(timestampMs));
        }
        ps.setString(4, key == null ? null : clean(key));
        int i = 5;
        for (Column c : columns) {
            bindValue(ps, i++, c, value.get(c.pos()));
        }
    }

    private static void bindValue(PreparedStatement ps, int i, Column c, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(i, switch (c.kind()) {
                case TEXT, JSON -> Types.VARCHAR;
                case INT -> Types.INTEGER;
                case BIGINT -> Types.BIGINT;
                case REAL -> Types.REAL;
                case DOUBLE -> Types.DOUBLE;
                case BOOLEAN -> Types.BOOLEAN;
                case BYTES -> Types.BINARY;
            });
            return;
        }
        switch (c.kind()) {
            case TEXT -> ps.setString(i, clean(v.toString()));
            case INT -> ps.setInt(i, (Integer) v);
            case BIGINT -> ps.setLong(i, (Long) v);
            case REAL -> ps.setFloat(i, (Float) v);
            case DOUBLE -> ps.setDouble(i, (Double) v); // NaN and ±Infinity are valid double precision values
            case BOOLEAN -> ps.setBoolean(i, (Boolean) v);
            case BYTES -> {
                ByteBuffer bb = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[bb.remaining()];
                bb.get(bytes);
                ps.setBytes(i, bytes);
            }
            case JSON -> {
                try {
                    ps.setString(i, AvroJson.MAPPER.writeValueAsString(cleanTree(AvroJson.valueTree(v))));
                } catch (JsonProcessingException e) {
                    throw new SQLException("cannot write field " + c.name() + " as JSON: " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalStateException("unhandled column kind " + c.kind());
        }
    }

    /**
     * PostgreSQL text and jsonb cannot hold U+0000 (an endpoint's error text might): it becomes
     * U+FFFD. Documented in the sink's README.
     */
    static String clean(String s) {
        return s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
    }

    /** {@link #clean} for every string and field name of a JSON tree (jsonb rejects the \\u0000 escape). */
    static JsonNode cleanTree(JsonNode node) {
        if (node.isTextual()) {
            String t = node.textValue();
            return t.indexOf('\u0000') < 0 ? node : TextNode.valueOf(clean(t));
        }
        if (node.isObject()) {
            ObjectNode out = AvroJson.MAPPER.createObjectNode();
            node.fields().forEachRemaining(e -> out.set(clean(e.getKey()), cleanTree(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = AvroJson.MAPPER.createArrayNode();
            node.forEach(x -> out.add(cleanTree(x)));
            return out;
        }
        return node;
    }
}
