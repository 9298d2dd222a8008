package dev.tokenarena.energy;

import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import java.lang.reflect.InvocationTargetException;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds the REST registry client by URL. It is looked up by name because
 * {@code RestSchemaRegistryClient} is being added to {@code schemas} in parallel with this module;
 * once it is released this becomes a plain {@code new RestSchemaRegistryClient(url)}.
 */
final class RegistryClients {

    static final String REST_CLIENT = "dev.tokenarena.schemas.registry.RestSchemaRegistryClient";

    private RegistryClients() {
    }

    static SchemaRegistryClient rest(String url) {
        try {
            Class<?> type = Class.forName(REST_CLIENT);
            return (SchemaRegistryClient) type.getConstructor(String.class).newInstance(url);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new ConfigException("schema.registry.url: this build has no " + REST_CLIENT
                    + "(String); rebuild with the current schemas module");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ConfigException("schema.registry.url '" + url + "': " + cause.getMessage());
        } catch (ReflectiveOperationException e) {
            throw new ConfigException("schema.registry.url: cannot create " + REST_CLIENT + ": " + e);
        }
    }
}
