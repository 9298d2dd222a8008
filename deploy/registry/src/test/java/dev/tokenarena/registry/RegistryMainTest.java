package dev.tokenarena.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import org.junit.jupiter.api.Test;

class RegistryMainTest {

    @Test
    void shouldUseFullAllInterfacesAndCatalogueTopicWhenOnlyBootstrapIsGiven() {
        RegistryServer.Options options = RegistryMain.parse(new String[] {"--bootstrap", "kafka:9092"});
        assertEquals("kafka:9092", options.bootstrapServers());
        assertEquals(8081, options.port());
        assertEquals("0.0.0.0", options.host());
        assertEquals(AvroCompatibility.Level.FULL, options.defaultLevel());
        assertEquals(Topics.SCHEMAS.name(), options.topic());
    }

    @Test
    void shouldTakeEveryFlagWhenGiven() {
        RegistryServer.Options options = RegistryMain.parse(new String[] {"--bootstrap", "k:1", "--port", "0",
                "--host", "127.0.0.1", "--compatibility", "backward_transitive", "--topic", "t"});
        assertEquals(0, options.port());
        assertEquals("127.0.0.1", options.host());
        assertEquals(AvroCompatibility.Level.BACKWARD_TRANSITIVE, options.defaultLevel());
        assertEquals("t", options.topic());
    }

    @Test
    void shouldNameBadFlagWhenArgumentsAreWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryMain.parse(new String[] {"--bootstrap",
                "k:1", "--port", "eighty"})).getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryMain.parse(new String[] {"--bootstrap",
                "k:1", "--port", "70000"})).getMessage().contains("port must be 0..65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryMain.parse(new String[] {"--bootstrap",
                "k:1", "--colour", "red"})).getMessage().contains("unknown option --colour"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryMain.parse(new String[] {"--bootstrap",
                "k:1", "--compatibility", "SIDEWAYS"})).getMessage().contains("unknown compatibility level"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryMain.parse(new String[] {"--bootstrap"}))
                .getMessage().contains("missing value after --bootstrap"));
    }
}
