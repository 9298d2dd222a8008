package dev.tokenarena.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as plain JSON: field names as in the schema, unions unwrapped (not Avro's
 * {"double": 1.0} JSON encoding), so files and CLIs show what a user expects.
 */
public final class AvroJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /** The record as a JSON tree. */
    public static ObjectNode toTree(IndexedRecord record) {
        ObjectNode node = F.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(record.get(field.pos())));
        }
        return node;
    }

    /** The record as one line of JSON. */
    public static String toJson(IndexedRecord record) {
        try {
            return MAPPER.writeValueAsString(toTree(record));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + record.getSchema().getName() + " as JSON", e);
        }
    }

    /** Any Avro value (record, array, map, scalar) as a JSON tree, as inside {@link #toTree}. */
    public static JsonNode valueTree(Object v) {
        return value(v);
    }

    private static JsonNode value(Object v) {
        if (v == null) {
            return F.nullNode();
        }
        if (v instanceof IndexedRecord r) {
            return toTree(r);
        }
        if (v instanceof CharSequence s) {
            return F.textNode(s.toString());
        }
        if (v instanceof Integer i) {
            return F.numberNode(i);
        }
        if (v instanceof Long l) {
            return F.numberNode(l);
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? F.nullNode() : F.numberNode(d);
        }
        if (v instanceof Float f) {
            return F.numberNode(f);
        }
        if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (v instanceof GenericEnumSymbol<?> || v instanceof Enum<?>) {
            return F.textNode(v.toString());
        }
        if (v instanceof ByteBuffer bb) {
            byte[] bytes = new byte[bb.remaining()];
            bb.duplicate().get(bytes);
            return F.binaryNode(bytes);
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode node = F.objectNode();
            m.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey((a, b) -> a.toString().compareTo(b.toString())))
                    .forEach(e -> node.set(e.getKey().toString(), value(e.getValue())));
            return node;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode array = F.arrayNode();
            c.forEach(x -> array.add(value(x)));
            return array;
        }
        if (v instanceof GenericContainer) {
            return F.textNode(v.toString());
        }
        return F.textNode(v.toString());
    }
}
