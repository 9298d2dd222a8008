package dev.tokenarena.sink;

import dev.tokenarena.schemas.config.CommonConfig;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** The registry settings both sinks share, declared once. */
final class RegistrySettings {

    static final String URL = CommonConfig.SCHEMA_REGISTRY_URL;
    static final String FACTORY = "schema.registry.client.factory";
    static final String GROUP = "Schema Registry";

    private RegistrySettings() {
    }

    static ConfigDef define(ConfigDef def) {
        // PASSWORD, not STRING: the URL may carry user:password@, and Connect masks password
        // values in its logs and REST answers.
        return def
                .define(URL, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, new HttpUrlValidator(
                                "the registry's base URL, e.g. http://localhost:8081",
                                "http(s)://[user:password@]host[:port][/path]", false),
                        ConfigDef.Importance.HIGH,
                        "Base URL of a Confluent-compatible Schema Registry the values were written with, e.g. "
                                + "http://localhost:8081; basic-auth credentials go in the URL as user:password@. "
                                + "Masked in logs; written to provenance without credentials.",
                        GROUP, 1, ConfigDef.Width.LONG, "Schema Registry URL")
                .define(FACTORY, ConfigDef.Type.CLASS, RestRegistryClientFactory.class.getName(),
                        new FactoryValidator(), ConfigDef.Importance.LOW,
                        "Class implementing dev.tokenarena.sink.RegistryClientFactory that makes the registry "
                                + "client. The default speaks the Confluent REST API; tests plug in an in-memory registry.",
                        GROUP, 2, ConfigDef.Width.LONG, "Registry client factory");
    }

    /** A client for the configured registry, from the configured factory. */
    static SchemaRegistryClient client(AbstractConfig config) {
        Class<?> type = config.getClass(FACTORY);
        RegistryClientFactory factory;
        try {
            factory = (RegistryClientFactory) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new ConfigException(FACTORY, type.getName(), "cannot instantiate: " + cause);
        }
        return factory.create(config.getPassword(URL).value());
    }

    /** The URL without user info, for provenance and messages. */
    static String redacted(Password url) {
        try {
            URI uri = new URI(url.value().trim());
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return "(unparseable URL)";
        }
    }



    private static final class FactoryValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof Class<?> type && !RegistryClientFactory.class.isAssignableFrom(type)) {
                throw new ConfigException(name, type.getName(), "must implement " + RegistryClientFactory.class.getName());
            }
        }

        @Override
        public String toString() {
            return "a class implementing " + RegistryClientFactory.class.getSimpleName();
        }
    }
}
