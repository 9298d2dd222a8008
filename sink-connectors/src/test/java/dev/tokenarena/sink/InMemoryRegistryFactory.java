package dev.tokenarena.sink;

import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;

/**
 * Test registry factory: every task in the JVM shares one in-memory registry, so a test encodes
 * with the same ids the task decodes with. Named in {@code schema.registry.client.factory}.
 */
public final class InMemoryRegistryFactory implements RegistryClientFactory {

    static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();

    @Override
    public SchemaRegistryClient create(String url) {
        return REGISTRY;
    }
}
