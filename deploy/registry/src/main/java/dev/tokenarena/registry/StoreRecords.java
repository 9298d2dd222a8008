package dev.tokenarena.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The records of the storage topic, in the layout of Confluent's {@code _schemas} topic so the
 * topic reads familiarly to anyone who has debugged one.
 *
 * <p>Keys are written with a fixed field order: compaction keeps the latest value per exact key
 * bytes, so the same subject and version must always serialize to the same bytes.
 */
final class StoreRecords {

    static final String SCHEMA = "SCHEMA";
    static final String CONFIG = "CONFIG";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One decoded record; {@code value} is null for a tombstone. */
    sealed interface Decoded permits SchemaRecord, ConfigRecord, Unknown {
    }

    /** A schema version; {@code value == null} is a tombstone removing that version. */
    record SchemaRecord(String subject, int version, SchemaValue value) implements Decoded {
    }

    record SchemaValue(String subject, int version, int id, String schema, boolean deleted) {
    }

    /** A compatibility setting; {@code subject == null} is the global one, {@code level == null} removes it. */
    record ConfigRecord(String subject, AvroCompatibility.Level level) implements Decoded {
    }

    /** Something we do not write (Confluent's NOOP, DELETE_SUBJECT, modes...): skipped, not fatal. */
    record Unknown(String why) implements Decoded {
    }

    private StoreRecords() {
    }

    static byte[] schemaKey(String subject, int version) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", SCHEMA);
        key.put("subject", subject);
        key.put("version", version);
        key.put("magic", 1);
        return bytes(key);
    }

    static byte[] schemaValue(SchemaValue value) {
        ObjectNode node = JSON.createObjectNode();
        node.put("subject", value.subject());
        node.put("version", value.version());
        node.put("id", value.id());
        node.put("schema", value.schema());
        node.put("deleted", value.deleted());
        return bytes(node);
    }

    static byte[] configKey(String subjectOrNull) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", CONFIG);
        if (subjectOrNull != null) {
            key.put("subject", subjectOrNull);
        }
        key.put("magic", 0);
        return bytes(key);
    }

    static byte[] configValue(AvroCompatibility.Level level) {
        return bytes(JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }

    static Decoded decode(byte[] key, byte[] value) {
        if (key == null) {
            return new Unknown("record without key");
        }
        try {
            JsonNode k = JSON.readTree(key);
            String type = k.path("keytype").asText("");
            JsonNode subjectNode = k.get("subject");
            String subject = subjectNode == null || subjectNode.isNull() ? null : subjectNode.asText();
            if (SCHEMA.equals(type)) {
                int version = k.path("version").asInt(-1);
                if (subject == null || version < 1) {
                    return new Unknown("SCHEMA key without subject or version: " + new String(key, StandardCharsets.UTF_8));
                }
                if (value == null) {
                    return new SchemaRecord(subject, version, null);
                }
                JsonNode v = JSON.readTree(value);
                String schemaType = v.path("schemaType").asText("AVRO");
                if (!"AVRO".equals(schemaType)) {
                    return new Unknown("schemaType " + schemaType + " of " + subject + " v" + version);
                }
                return new SchemaRecord(subject, version, new SchemaValue(subject, version, v.path("id").asInt(-1),
                        v.path("schema").asText(null), v.path("deleted").asBoolean(false)));
            }
            if (CONFIG.equals(type)) {
                if (value == null) {
                    return new ConfigRecord(subject, null);
                }
                String level = JSON.readTree(value).path("compatibilityLevel").asText("");
                return new ConfigRecord(subject, AvroCompatibility.Level.parse(level));
            }
            return new Unknown("keytype '" + type + "'");
        } catch (IOException | IllegalArgumentException e) {
            return new Unknown("unreadable record: " + e.getMessage());
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
