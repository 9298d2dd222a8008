package dev.tokenarena.sink;

import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;

/** The default {@link RegistryClientFactory}: the REST client of the {@code schemas} module. */
public final class RestRegistryClientFactory implements RegistryClientFactory {

    @Override
    public SchemaRegistryClient create(String url) {
        return new RestSchemaRegistryClient(url);
    }
}
