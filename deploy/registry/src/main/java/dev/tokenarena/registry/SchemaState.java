package dev.tokenarena.registry;

import dev.tokenarena.schemas.registry.AvroCompatibility;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry knows, built only by applying the storage topic's records in order. The
 * write path never changes it directly: it appends to the log and waits until the reader has
 * applied the record, so a restarted server or a second server on the same topic rebuilds
 * exactly the same state. Thread-safe: one reader thread applies, request threads read.
 */
final class SchemaState {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaState.class);

    /** One version of a subject. {@code schema} is the parsed form of {@code text}. */
    record Version(String subject, int version, int id, String text, Schema schema, boolean deleted) {
    }

    private final AvroCompatibility.Level defaultLevel;
    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<Integer, Version> firstById = new HashMap<>();
    private final Map<String, Integer> idByText = new HashMap<>();
    private final Map<String, AvroCompatibility.Level> subjectLevels = new HashMap<>();
    private AvroCompatibility.Level globalLevel;
    private int maxId;

    SchemaState(AvroCompatibility.Level defaultLevel) {
        this.defaultLevel = defaultLevel;
    }

    /** Applies one record of the storage topic; records it cannot use are logged and skipped. */
    synchronized void apply(byte[] key, byte[] value) {
        StoreRecords.Decoded decoded = StoreRecords.decode(key, value);
        if (decoded instanceof StoreRecords.SchemaRecord r) {
            applySchema(r);
        } else if (decoded instanceof StoreRecords.ConfigRecord c) {
            if (c.subject() == null) {
                globalLevel = c.level();
            } else if (c.level() == null) {
                subjectLevels.remove(c.subject());
            } else {
                subjectLevels.put(c.subject(), c.level());
            }
        } else if (decoded instanceof StoreRecords.Unknown u) {
            LOG.warn("skipping storage record: {}", u.why());
        }
    }

    private void applySchema(StoreRecords.SchemaRecord r) {
        if (r.value() == null) {
            // Tombstone from another tool: forget the version. maxId stays, so the id is never handed out again
            // by this process (after a restart it would be, which is why this server never writes tombstones).
            TreeMap<Integer, Version> versions = subjects.get(r.subject());
            if (versions != null) {
                versions.remove(r.version());
                if (versions.isEmpty()) {
                    subjects.remove(r.subject());
                }
            }
            return;
        }
        StoreRecords.SchemaValue v = r.value();
        if (v.id() < 1 || v.schema() == null) {
            LOG.warn("skipping schema record of {} v{} without id or schema", r.subject(), r.version());
            return;
        }
        Schema parsed;
        try {
            parsed = new Schema.Parser().parse(v.schema());
        } catch (RuntimeException e) {
            // SchemaParseException, AvroTypeException (bad default)...: a foreign writer's record, not ours.
            LOG.warn("skipping schema record of {} v{} id {}: not valid Avro: {}", r.subject(), r.version(), v.id(),
                    e.getMessage());
            return;
        }
        String text = parsed.toString();
        Version version = new Version(r.subject(), r.version(), v.id(), text, parsed, v.deleted());
        Version first = firstById.putIfAbsent(v.id(), version);
        if (first != null && !first.text().equals(text)) {
            // Two writers allocated the same id to different schemas: the single-writer assumption was broken.
            LOG.error("schema id {} is used for two different schemas (subject {} v{} and {} v{}); keeping the first."
                    + " Run exactly one registry writer per storage topic.", v.id(), first.subject(), first.version(),
                    r.subject(), r.version());
        }
        idByText.putIfAbsent(text, v.id());
        maxId = Math.max(maxId, v.id());
        subjects.computeIfAbsent(r.subject(), s -> new TreeMap<>()).put(r.version(), version);
    }

    /** Subjects with at least one live version (or any version when {@code includeDeleted}), sorted. */
    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> out = new ArrayList<>();
        subjects.forEach((name, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
                out.add(name);
            }
        });
        return out;
    }

    /** Live versions of the subject, oldest first; empty when it has none. */
    synchronized List<Version> liveVersions(String subject) {
        return subjects.getOrDefault(subject, new TreeMap<>()).values().stream().filter(v -> !v.deleted()).toList();
    }

    /** Whether the subject exists only as soft-deleted versions. */
    synchronized boolean softDeletedOnly(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions != null && !versions.isEmpty() && versions.values().stream().allMatch(Version::deleted);
    }

    /** Highest version number ever used in the subject, deleted ones included (versions are never reused). */
    synchronized int maxVersion(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    synchronized Optional<Version> byId(int id) {
        return Optional.ofNullable(firstById.get(id));
    }

    /** Every live (subject, version) that carries the id. */
    synchronized List<Version> usesOf(int id) {
        List<Version> out = new ArrayList<>();
        subjects.values().forEach(vs -> vs.values().stream().filter(v -> v.id() == id && !v.deleted()).forEach(out::add));
        return out;
    }

    /** The global id already given to this exact canonical schema text, in any subject. */
    synchronized Optional<Integer> idOf(String canonicalText) {
        return Optional.ofNullable(idByText.get(canonicalText));
    }

    synchronized int maxId() {
        return maxId;
    }

    synchronized AvroCompatibility.Level globalLevel() {
        return globalLevel != null ? globalLevel : defaultLevel;
    }

    synchronized Optional<AvroCompatibility.Level> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized AvroCompatibility.Level effectiveLevel(String subject) {
        return subjectLevel(subject).orElse(globalLevel());
    }
}
