package dev.tokenarena.schemas.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings every TokenArena service shares, and how a service's config is read: a properties
 * file, then environment overrides ({@code ARENA_BOOTSTRAP_SERVERS} overrides
 * {@code bootstrap.servers}: upper case, dots and dashes to underscores, prefix ARENA_).
 */
public final class CommonConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String ENV_PREFIX = "ARENA_";

    private CommonConfig() {
    }

    /** Adds the shared settings to a service's definition. */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(BOOTSTRAP_SERVERS, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                        "Kafka bootstrap servers, host:port[,host:port].")
                .define(SCHEMA_REGISTRY_URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(), ConfigDef.Importance.HIGH,
                        "Base URL of a Confluent-compatible Schema Registry, e.g. http://localhost:8081.");
    }

    /**
     * Reads a properties file (may be null for none) and applies environment overrides for the
     * keys the definition knows. The error names the file.
     */
    public static Map<String, String> load(Path file, ConfigDef def, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(file + ": config file not found");
            }
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            } catch (IOException e) {
                throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
            }
            props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        }
        for (String key : def.names()) {
            String override = env.get(envName(key));
            if (override != null) {
                values.put(key, override);
            }
        }
        return values;
    }

    /** The environment variable that overrides a key. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A markdown table of a definition, for the generated configuration reference. Passwords
     * show no default.
     */
    public static String markdown(String title, ConfigDef def) {
        StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n")
                .append("| name | type | default | importance | description |\n|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            String dflt = !key.hasDefault() ? "(required)"
                    : key.type == ConfigDef.Type.PASSWORD ? "(secret)" : String.valueOf(key.defaultValue);
            sb.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase(Locale.ROOT))
                    .append(" | `").append(dflt).append("` | ").append(key.importance.name().toLowerCase(Locale.ROOT))
                    .append(" | ").append(key.documentation.replace("|", "\\|").replace("\n", " ")).append(" |\n");
        }
        return sb.append('\n').toString();
    }
}
