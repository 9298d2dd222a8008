package dev.tokenarena.schemas.registry;

import org.apache.avro.Schema;

/** A schema as the registry holds it: subject, global id, version within the subject. */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {
}
