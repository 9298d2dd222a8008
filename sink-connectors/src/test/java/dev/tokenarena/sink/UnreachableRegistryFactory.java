package dev.tokenarena.sink;

import dev.tokenarena.schemas.registry.CompatibilityResult;
import dev.tokenarena.schemas.registry.RegisteredSchema;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.registry.SchemaRegistryException;
import java.net.ConnectException;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/** Test registry factory whose registry never answers, as when the server is down. */
public final class UnreachableRegistryFactory implements RegistryClientFactory {

    @Override
    public SchemaRegistryClient create(String url) {
        return new SchemaRegistryClient() {
            private SchemaRegistryException down() {
                return new SchemaRegistryException("registry at " + url + " unreachable", new ConnectException("refused"));
            }

            @Override
            public int register(String subject, Schema schema) {
                throw down();
            }

            @Override
            public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
                throw down();
            }

            @Override
            public Schema schemaById(int id) {
                throw down();
            }

            @Override
            public RegisteredSchema latest(String subject) {
                throw down();
            }

            @Override
            public CompatibilityResult testCompatibility(String subject, Schema schema) {
                throw down();
            }

            @Override
            public List<String> subjects() {
                throw down();
            }
        };
    }
}
