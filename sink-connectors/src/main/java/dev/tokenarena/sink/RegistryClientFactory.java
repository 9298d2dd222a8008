package dev.tokenarena.sink;

import dev.tokenarena.schemas.registry.SchemaRegistryClient;

/**
 * Makes the registry client a sink task decodes with. The default talks to any
 * Confluent-compatible registry over REST; a test or an exotic deployment names another
 * implementation (public, with a public no-argument constructor) in
 * {@code schema.registry.client.factory}.
 */
public interface RegistryClientFactory {

    /**
     * A client for the registry at this URL.
     *
     * @param url the configured {@code schema.registry.url}; may carry {@code user:password@}
     */
    SchemaRegistryClient create(String url);
}
