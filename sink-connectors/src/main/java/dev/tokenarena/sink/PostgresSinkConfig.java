package dev.tokenarena.sink;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of {@link PostgresSinkConnector}, declared once and parsed into typed fields. */
public final class PostgresSinkConfig extends AbstractConfig {

    public static final String PG_URL = "pg.url";
    public static final String PG_USER = "pg.user";
    public static final String PG_PASSWORD = "pg.password";
    public static final String PG_SCHEMA = "pg.schema";
    public static final String PG_TABLES = "pg.tables";
    public static final String BATCH_MAX_ROWS = "pg.batch.max.rows";
    public static final String SCHEMA_REGISTRY_URL = RegistrySettings.URL;
    public static final String SCHEMA_REGISTRY_CLIENT_FACTORY = RegistrySettings.FACTORY;

    /** The history a user queries: composites, alerts and raw probe results (DESIGN section 8). */
    public static final String DEFAULT_TABLES = Topics.COMPOSITES.name() + ":composites," + Topics.ALERTS.name()
            + ":drift_alerts," + Topics.PROBE_RESULTS.name() + ":probe_results";

    private static final String GROUP = "PostgreSQL";

    public static final ConfigDef CONFIG_DEF = RegistrySettings.define(new ConfigDef()
            // PASSWORD: a JDBC URL may carry password=...; Connect masks it in logs and REST answers.
            .define(PG_URL, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, new UrlValidator(),
                    ConfigDef.Importance.HIGH,
                    "JDBC URL of the database, e.g. jdbc:postgresql://db.internal:5432/arena. Masked in logs.",
                    GROUP, 1, ConfigDef.Width.LONG, "JDBC URL")
            .define(PG_USER, ConfigDef.Type.STRING, "", ConfigDef.Importance.HIGH,
                    "Database user; empty: the driver's default (the OS user name).",
                    GROUP, 2, ConfigDef.Width.MEDIUM, "User")
            .define(PG_PASSWORD, ConfigDef.Type.PASSWORD, "", ConfigDef.Importance.HIGH,
                    "Database password; empty for none (trust, peer or a .pgpass file). Masked in logs.",
                    GROUP, 3, ConfigDef.Width.MEDIUM, "Password")
            .define(PG_SCHEMA, ConfigDef.Type.STRING, "public", new IdentifierValidator(), ConfigDef.Importance.MEDIUM,
                    "Database schema the tables live in; created when missing.",
                    GROUP, 4, ConfigDef.Width.SHORT, "Schema")
            .define(PG_TABLES, ConfigDef.Type.LIST, DEFAULT_TABLES, new TablesValidator(), ConfigDef.Importance.HIGH,
                    "Comma list of topic:table. Each topic must be an Avro topic of the catalogue and appear once; "
                            + "each table a plain lower-case SQL name. Tables are created, and columns added for new "
                            + "fields, at start.",
                    GROUP, 5, ConfigDef.Width.LONG, "Table per topic")
            .define(BATCH_MAX_ROWS, ConfigDef.Type.INT, 1000, ConfigDef.Range.between(1, 100_000),
                    ConfigDef.Importance.LOW,
                    "Rows held between flushes; beyond this they are written early, in one transaction, so memory "
                            + "stays bounded.",
                    GROUP, 6, ConfigDef.Width.SHORT, "Batch rows"));

    private final Map<String, String> tablesByTopic;

    public PostgresSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.tablesByTopic = parseTables(PG_TABLES, getList(PG_TABLES));
    }

    public Password url() {
        return getPassword(PG_URL);
    }

    public String user() {
        return getString(PG_USER);
    }

    public Password password() {
        return getPassword(PG_PASSWORD);
    }

    public String schema() {
        return getString(PG_SCHEMA);
    }

    /** Table per topic, in the configured order. */
    public Map<String, String> tablesByTopic() {
        return tablesByTopic;
    }

    public int batchMaxRows() {
        return getInt(BATCH_MAX_ROWS);
    }

    /**
     * Parses {@code topic:table} entries.
     *
     * @throws ConfigException naming the entry and what is wrong with it
     */
    static Map<String, String> parseTables(String name, List<String> entries) {
        Map<String, String> tables = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (String entry : entries) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(name, entry, "expected topic:table");
            }
            String topic = entry.substring(0, colon).trim();
            String table = entry.substring(colon + 1).trim();
            Optional<TopicSpec<?>> spec = Topics.byName(topic);
            if (spec.isEmpty()) {
                throw new ConfigException(name, entry, "topic " + topic + " is not in the catalogue (dev.tokenarena.schemas.Topics)");
            }
            if (spec.get().valueType() == null) {
                throw new ConfigException(name, entry, "topic " + topic + " carries raw bytes, not Avro");
            }
            if (!PgTable.SAFE_IDENTIFIER.matcher(table).matches()) {
                throw new ConfigException(name, entry, "table name must match " + PgTable.SAFE_IDENTIFIER);
            }
            if (tables.putIfAbsent(topic, table) != null) {
                throw new ConfigException(name, entry, "topic " + topic + " is mapped twice");
            }
            if (!names.add(table)) {
                throw new ConfigException(name, entry, "table " + table + " is used by two topics");
            }
        }
        if (tables.isEmpty()) {
            throw new ConfigException(name, entries, "map at least one topic to a table");
        }
        return Collections.unmodifiableMap(tables);
    }

    private static final class TablesValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof List<?> list) {
                parseTables(name, list.stream().map(Object::toString).toList());
            }
        }

        @Override
        public String toString() {
            return "topic:table[,topic:table...]";
        }
    }

    private static final class IdentifierValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || !PgTable.SAFE_IDENTIFIER.matcher(value.toString()).matches()) {
                throw new ConfigException(name, value, "must match " + PgTable.SAFE_IDENTIFIER);
            }
        }

        @Override
        public String toString() {
            return PgTable.SAFE_IDENTIFIER.toString();
        }
    }

    private static final class UrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = value instanceof Password p ? p.value() : String.valueOf(value);
            if (url == null || !url.startsWith("jdbc:postgresql:")) {
                // Not the URL itself in the message: it may hold a password.
                throw new ConfigException(name + " must be a jdbc:postgresql: URL, e.g. jdbc:postgresql://host:5432/arena");
            }
        }

        @Override
        public String toString() {
            return "jdbc:postgresql://host:port/database";
        }
    }
}
