package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * Cross-field rules both sinks apply in {@code validate()}, on settings that belong to the worker
 * (topics, converters) rather than to our own {@code ConfigDef}.
 */
final class ConnectorRules {

    static final String VALUE_CONVERTER = "value.converter";
    /** By name: the converter lives in connect-runtime, which a plugin must not depend on. */
    static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private ConnectorRules() {
    }

    /** A mutable copy of a validation result, so rules can add errors to any key. */
    static Config copy(Config config) {
        return new Config(new ArrayList<>(config.configValues()));
    }

    /** The value entry for a key, added when the connector's ConfigDef does not know the key. */
    static ConfigValue value(Config config, String name, Map<String, String> props) {
        for (ConfigValue v : config.configValues()) {
            if (v.name().equals(name)) {
                return v;
            }
        }
        ConfigValue added = new ConfigValue(name, props.get(name), List.of(), new ArrayList<>());
        config.configValues().add(added);
        return added;
    }

    /** The task decodes the Confluent wire format itself, so it must receive the raw bytes. */
    static void requireByteArrayConverter(Config config, Map<String, String> props) {
        String converter = props.get(VALUE_CONVERTER);
        if (!BYTE_ARRAY_CONVERTER.equals(converter == null ? null : converter.trim())) {
            value(config, VALUE_CONVERTER, props).addErrorMessage(VALUE_CONVERTER + " must be "
                    + BYTE_ARRAY_CONVERTER + " (the task decodes the Confluent wire format with the "
                    + "registry itself), was " + converter);
        }
    }

    /**
     * Every consumed topic is in the catalogue and, when {@code mapped} is known, mapped in
     * {@code mappingKey} (to a {@code noun}: a file, a table); the value converter passes bytes.
     * {@code mapped} is empty when the mapping itself is missing or malformed: its own check said
     * so already, and a second error would point the user at the wrong setting.
     */
    static void requireMappedCatalogueTopics(Config config, Map<String, String> props,
                                             Optional<Map<String, String>> mapped, String mappingKey,
                                             String noun) {
        for (String topic : listedTopics(config, props)) {
            if (Topics.byName(topic).isEmpty()) {
                value(config, SinkTask.TOPICS_CONFIG, props).addErrorMessage(
                        "topic " + topic + " is not in the catalogue (dev.tokenarena.schemas.Topics)");
            } else if (mapped.isPresent() && !mapped.get().containsKey(topic)) {
                value(config, SinkTask.TOPICS_CONFIG, props).addErrorMessage(
                        "topic " + topic + " has no " + noun + " in " + mappingKey + "; add " + topic + ":<" + noun + ">");
            }
        }
        requireByteArrayConverter(config, props);
    }

    /** A connector of one catalogue topic: {@code topics} lists only {@code only}; the value converter passes bytes. */
    static void requireOnlyTopic(Config config, Map<String, String> props, String only) {
        for (String topic : listedTopics(config, props)) {
            if (!topic.equals(only)) {
                value(config, SinkTask.TOPICS_CONFIG, props).addErrorMessage(
                        "this connector reads only " + only + ", not " + topic);
            }
        }
        requireByteArrayConverter(config, props);
    }

    /** The topics listed in {@code topics}; {@code topics.regex} is refused as it cannot be checked. */
    static List<String> listedTopics(Config config, Map<String, String> props) {
        String regex = props.get(SinkTask.TOPICS_REGEX_CONFIG);
        if (regex != null && !regex.isBlank()) {
            value(config, SinkTask.TOPICS_REGEX_CONFIG, props).addErrorMessage(SinkTask.TOPICS_REGEX_CONFIG
                    + " is not supported: list the catalogue topics in " + SinkTask.TOPICS_CONFIG);
        }
        String topics = props.get(SinkTask.TOPICS_CONFIG);
        if (topics == null || topics.isBlank()) {
            value(config, SinkTask.TOPICS_CONFIG, props).addErrorMessage(SinkTask.TOPICS_CONFIG
                    + " must list the topics to consume");
            return List.of();
        }
        return items(topics);
    }

    /** The items of a comma-separated setting, trimmed, empty ones left out. */
    static List<String> items(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    /** Every error of a validation result as {@code key: message}. */
    static List<String> errors(Config config) {
        List<String> errors = new ArrayList<>();
        for (ConfigValue v : config.configValues()) {
            v.errorMessages().forEach(m -> errors.add(v.name() + ": " + m));
        }
        return errors;
    }
}
