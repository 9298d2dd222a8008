package dev.tokenarena.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Compatibility rules of the Confluent registry, computed with Avro's own resolution rules.
 * BACKWARD (the default): a reader of the new schema must read data written with the previous one,
 * so adding a field with a default passes and adding a required field (no default) is refused.
 * FORWARD is the converse: removing a required field is refused. FULL is both. The TRANSITIVE
 * variants check every earlier version, not only the latest.
 */
public final class AvroCompatibility {

    /** Compatibility levels, spelled as the Confluent API spells them. */
    public enum Level {
        NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

        /** Parses a level name, case-insensitively; the error lists the valid names. */
        public static Level parse(String name) {
            try {
                return Level.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown compatibility level '" + name + "'; valid: "
                        + java.util.Arrays.toString(values()), e);
            }
        }
    }

    private AvroCompatibility() {
    }

    /**
     * Checks a candidate against earlier versions (oldest first) under the level.
     */
    public static CompatibilityResult check(Level level, Schema candidate, List<Schema> earlier) {
        if (level == Level.NONE || earlier.isEmpty()) {
            return CompatibilityResult.ok();
        }
        boolean transitive = level.name().endsWith("TRANSITIVE");
        List<Schema> against = transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
        List<String> messages = new ArrayList<>();
        for (Schema old : against) {
            if (level.name().startsWith("BACKWARD") || level.name().startsWith("FULL")) {
                // the new schema reads old data
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old), "new schema cannot read data written with the previous schema", messages);
            }
            if (level.name().startsWith("FORWARD") || level.name().startsWith("FULL")) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate), "previous schema cannot read data written with the new schema", messages);
            }
        }
        return messages.isEmpty() ? CompatibilityResult.ok() : CompatibilityResult.incompatible(messages);
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String what, List<String> out) {
        if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (SchemaCompatibility.Incompatibility inc : pair.getResult().getIncompatibilities()) {
            out.add(what + ": " + inc.getType() + " at " + inc.getLocation() + " (" + inc.getMessage() + ")");
        }
    }
}
