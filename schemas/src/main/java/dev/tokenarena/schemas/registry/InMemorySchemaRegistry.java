package dev.tokenarena.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A registry in memory with the same rules as the server (global ids, versions per subject,
 * compatibility enforced on register). For fast tests and TopologyTestDriver; thread-safe.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final AvroCompatibility.Level level;
    private final Map<String, List<RegisteredSchema>> bySubject = new LinkedHashMap<>();
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();

    public InMemorySchemaRegistry() {
        this(AvroCompatibility.Level.FULL);
    }

    public InMemorySchemaRegistry(AvroCompatibility.Level level) {
        this.level = level;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        Optional<RegisteredSchema> existing = lookup(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        CompatibilityResult result = testCompatibility(subject, schema);
        if (!result.compatible()) {
            throw new SchemaRegistryException("schema for subject '" + subject + "' is incompatible with "
                    + level + ": " + String.join("; ", result.messages()), 409, 409);
        }
        String canonical = schema.toString();
        int id = idByCanonical.computeIfAbsent(canonical, c -> idByCanonical.size() + 1);
        byId.put(id, schema);
        List<RegisteredSchema> versions = bySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        versions.add(new RegisteredSchema(subject, id, versions.size() + 1, schema));
        return id;
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        return bySubject.getOrDefault(subject, List.of()).stream()
                .filter(r -> r.schema().equals(schema)).findFirst();
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("schema id " + id + " not found", 404, 40403);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<RegisteredSchema> versions = bySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaRegistryException("subject '" + subject + "' not found", 404, 40401);
        }
        return versions.get(versions.size() - 1);
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        List<Schema> earlier = bySubject.getOrDefault(subject, List.of()).stream().map(RegisteredSchema::schema).toList();
        return AvroCompatibility.check(level, schema, earlier);
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(bySubject.keySet());
    }
}
