package dev.tokenarena.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API that TokenArena uses. Implementations:
 * {@link RestSchemaRegistryClient} against any Confluent-compatible registry by URL, and
 * {@link InMemorySchemaRegistry} for fast tests. Errors are {@link SchemaRegistryException}s
 * whose message names the subject or id and what the registry said.
 */
public interface SchemaRegistryClient {

    /** Registers the schema under the subject (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The registration of exactly this schema under the subject, if it exists. */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);

    /** The latest version registered under the subject. */
    RegisteredSchema latest(String subject);

    /** Whether the schema is compatible with the subject's latest version under its compatibility level. */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    /** All subjects. */
    List<String> subjects();
}
