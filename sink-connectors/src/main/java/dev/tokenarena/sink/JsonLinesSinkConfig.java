package dev.tokenarena.sink;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import java.nio.file.Path;
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

/** Settings of {@link JsonLinesSinkConnector}, declared once and parsed into typed fields. */
public final class JsonLinesSinkConfig extends AbstractConfig {

    public static final String JSONL_DIR = "jsonl.dir";
    public static final String JSONL_FILES = "jsonl.files";
    public static final String BUFFER_MAX_CHARS = "jsonl.buffer.max.chars";
    public static final String SCHEMA_REGISTRY_URL = RegistrySettings.URL;
    public static final String SCHEMA_REGISTRY_CLIENT_FACTORY = RegistrySettings.FACTORY;

    private static final String GROUP = "JSON lines files";

    public static final ConfigDef CONFIG_DEF = RegistrySettings.define(new ConfigDef()
            .define(JSONL_DIR, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH, "Directory the JSON lines files are appended in; created when missing.",
                    GROUP, 1, ConfigDef.Width.LONG, "Directory")
            .define(JSONL_FILES, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new FilesValidator(),
                    ConfigDef.Importance.HIGH,
                    "Comma list of topic:filename, e.g. arena.alerts.drift.v1:alerts.jsonl,"
                            + "arena.probe.results.v1:probe-results.jsonl. Each topic must be an Avro topic of the "
                            + "catalogue and appear once; each file name is a plain name inside " + JSONL_DIR + ".",
                    GROUP, 2, ConfigDef.Width.LONG, "Files per topic")
            .define(BUFFER_MAX_CHARS, ConfigDef.Type.INT, 1 << 20, ConfigDef.Range.atLeast(1024),
                    ConfigDef.Importance.LOW,
                    "Characters of lines held per file between flushes; beyond this, whole lines are written early "
                            + "so memory stays bounded.",
                    GROUP, 3, ConfigDef.Width.SHORT, "Buffer per file"));

    private final Path dir;
    private final Map<String, String> filesByTopic;
    private final int bufferMaxChars;

    public JsonLinesSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.dir = Path.of(getString(JSONL_DIR));
        this.filesByTopic = parseFiles(JSONL_FILES, getList(JSONL_FILES));
        this.bufferMaxChars = getInt(BUFFER_MAX_CHARS);
    }

    public Path dir() {
        return dir;
    }

    /** File name per topic, in the configured order. */
    public Map<String, String> filesByTopic() {
        return filesByTopic;
    }

    public int bufferMaxChars() {
        return bufferMaxChars;
    }

    /**
     * Parses {@code topic:filename} entries.
     *
     * @throws ConfigException naming the entry and what is wrong with it
     */
    static Map<String, String> parseFiles(String name, List<String> entries) {
        Map<String, String> files = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (String entry : entries) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new ConfigException(name, entry, "expected topic:filename");
            }
            String topic = entry.substring(0, colon).trim();
            String file = entry.substring(colon + 1).trim();
            Optional<TopicSpec<?>> spec = Topics.byName(topic);
            if (spec.isEmpty()) {
                throw new ConfigException(name, entry, "topic " + topic + " is not in the catalogue (dev.tokenarena.schemas.Topics)");
            }
            if (spec.get().valueType() == null) {
                throw new ConfigException(name, entry, "topic " + topic + " carries raw bytes, not Avro");
            }
            if (!SnapshotFiles.SAFE_NAME.matcher(file).matches()) {
                throw new ConfigException(name, entry, "file name must match " + SnapshotFiles.SAFE_NAME
                        + " (no directories)");
            }
            if (files.putIfAbsent(topic, file) != null) {
                throw new ConfigException(name, entry, "topic " + topic + " is mapped twice");
            }
            if (!names.add(file)) {
                throw new ConfigException(name, entry, "file " + file + " is used by two topics");
            }
        }
        if (files.isEmpty()) {
            throw new ConfigException(name, entries, "map at least one topic to a file");
        }
        return Collections.unmodifiableMap(files);
    }

    private static final class FilesValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof List<?> list) {
                parseFiles(name, list.stream().map(Object::toString).toList());
            }
        }

        @Override
        public String toString() {
            return "topic:filename[,topic:filename...]";
        }
    }
}
