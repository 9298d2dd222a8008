package dev.tokenarena.registry;

import dev.tokenarena.schemas.registry.AvroCompatibility;
import dev.tokenarena.schemas.registry.CompatibilityResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.avro.Schema;

/**
 * The registry's rules on top of {@link SchemaState} and {@link SchemaLog}: idempotent
 * registration, global ids shared across subjects, compatibility enforced before anything is
 * written.
 *
 * <p>Id allocation is "highest id ever seen + 1". That is only safe with one writer per storage
 * topic: two servers registering at the same moment could both pick the same id. Writes within
 * this server are serialized by a lock, and a second server on the same topic may serve reads,
 * but exactly one server should take registrations (as with Confluent's leader election,
 * without the election). The state logs an error if it ever sees one id used for two schemas.
 */
final class SchemaStore {

    private final SchemaState state;
    private final SchemaLog log;
    private final ReentrantLock writeLock = new ReentrantLock();

    SchemaStore(SchemaState state, SchemaLog log) {
        this.state = state;
        this.log = log;
    }

    SchemaState state() {
        return state;
    }

    /** Registers the schema text under the subject and returns its global id. */
    int register(String subject, String schemaText) {
        Schema schema = parse(schemaText);
        String canonical = schema.toString();
        writeLock.lock();
        try {
            List<SchemaState.Version> live = state.liveVersions(subject);
            Optional<SchemaState.Version> same = live.stream().filter(v -> v.text().equals(canonical)).findFirst();
            if (same.isPresent()) {
                return same.get().id();
            }
            AvroCompatibility.Level level = state.effectiveLevel(subject);
            CompatibilityResult result = AvroCompatibility.check(level, schema,
                    live.stream().map(SchemaState.Version::schema).toList());
            if (!result.compatible()) {
                throw RegistryError.incompatible("Schema being registered is incompatible with an earlier schema for"
                        + " subject '" + subject + "' under compatibility " + level + ", details: "
                        + String.join("; ", result.messages()));
            }
            int id = state.idOf(canonical).orElseGet(() -> state.maxId() + 1);
            int version = state.maxVersion(subject) + 1;
            log.append(StoreRecords.schemaKey(subject, version), StoreRecords.schemaValue(
                    new StoreRecords.SchemaValue(subject, version, id, canonical, false)));
            return id;
        } finally {
            writeLock.unlock();
        }
    }

    /** The live version of the subject holding exactly this schema. */
    SchemaState.Version lookup(String subject, String schemaText) {
        String canonical = parse(schemaText).toString();
        List<SchemaState.Version> live = state.liveVersions(subject);
        if (live.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return live.stream().filter(v -> v.text().equals(canonical)).findFirst()
                .orElseThrow(() -> RegistryError.schemaNotFound("Schema"));
    }

    /** One version, by number or {@code latest} (Confluent also accepts -1 for latest). */
    SchemaState.Version version(String subject, String versionId) {
        List<SchemaState.Version> live = state.liveVersions(subject);
        boolean latest = isLatest(versionId);
        int number = latest ? -1 : parseVersion(versionId);
        if (live.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        if (latest) {
            return live.get(live.size() - 1);
        }
        return live.stream().filter(v -> v.version() == number).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(subject, versionId));
    }

    /**
     * Checks the schema as registration would. Against {@code latest} (or no version) the subject's
     * level decides which versions count (all of them for TRANSITIVE levels); against a numbered
     * version only that version is checked. A subject with no versions is compatible with anything.
     */
    CompatibilityResult testCompatibility(String subject, String versionIdOrNull, String schemaText) {
        Schema schema = parse(schemaText);
        AvroCompatibility.Level level = state.effectiveLevel(subject);
        if (versionIdOrNull == null || isLatest(versionIdOrNull)) {
            List<Schema> earlier = state.liveVersions(subject).stream().map(SchemaState.Version::schema).toList();
            return AvroCompatibility.check(level, schema, earlier);
        }
        SchemaState.Version against = version(subject, versionIdOrNull);
        return AvroCompatibility.check(level, schema, List.of(against.schema()));
    }

    /** Soft-deletes every live version; returns their numbers. Ids stay resolvable for old data. */
    List<Integer> deleteSubject(String subject, boolean permanent) {
        if (permanent) {
            // Tombstones would let compaction drop the highest id, and "max id + 1" would then hand it out again
            // after a restart, decoding old records with the wrong schema. Soft delete keeps ids unique forever.
            throw new RegistryError(422, 42205, "Permanent delete is not supported by this registry: schema ids"
                    + " must never be reused. Soft delete (without permanent=true) hides the subject.");
        }
        writeLock.lock();
        try {
            List<SchemaState.Version> live = state.liveVersions(subject);
            if (live.isEmpty()) {
                throw state.softDeletedOnly(subject) ? RegistryError.subjectSoftDeleted(subject)
                        : RegistryError.subjectNotFound(subject);
            }
            for (SchemaState.Version v : live) {
                log.append(StoreRecords.schemaKey(subject, v.version()), StoreRecords.schemaValue(
                        new StoreRecords.SchemaValue(subject, v.version(), v.id(), v.text(), true)));
            }
            return live.stream().map(SchemaState.Version::version).toList();
        } finally {
            writeLock.unlock();
        }
    }

    /** Sets the global level ({@code subject == null}) or a subject's level. */
    void setLevel(String subjectOrNull, AvroCompatibility.Level level) {
        writeLock.lock();
        try {
            log.append(StoreRecords.configKey(subjectOrNull), StoreRecords.configValue(level));
        } finally {
            writeLock.unlock();
        }
    }

    /** Removes a subject's own level so the global one applies again; returns the removed level. */
    AvroCompatibility.Level clearLevel(String subject) {
        writeLock.lock();
        try {
            AvroCompatibility.Level previous = state.subjectLevel(subject)
                    .orElseThrow(() -> RegistryError.subjectLevelNotConfigured(subject));
            log.append(StoreRecords.configKey(subject), null);
            return previous;
        } finally {
            writeLock.unlock();
        }
    }

    static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryError.invalidSchema("empty schema");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (RuntimeException e) {
            // SchemaParseException and AvroTypeException both carry Avro's own explanation.
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    private static boolean isLatest(String versionId) {
        return "latest".equals(versionId) || "-1".equals(versionId);
    }

    private static int parseVersion(String versionId) {
        try {
            int v = Integer.parseInt(versionId);
            if (v < 1) {
                throw RegistryError.invalidVersion(versionId);
            }
            return v;
        } catch (NumberFormatException e) {
            throw RegistryError.invalidVersion(versionId);
        }
    }
}
