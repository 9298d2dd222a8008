package dev.tokenarena.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class AvroCompatibilityTest {

    private static final Schema V1 = SchemaBuilder.record("R").fields()
            .requiredString("a").requiredDouble("b").endRecord();
    private static final Schema V2_OPTIONAL_ADDED = SchemaBuilder.record("R").fields()
            .requiredString("a").requiredDouble("b").optionalString("c").endRecord();
    private static final Schema V2_REQUIRED_REMOVED = SchemaBuilder.record("R").fields()
            .requiredString("a").endRecord();

    @Test
    void shouldAcceptOptionalFieldWhenFull() {
        assertTrue(AvroCompatibility.check(AvroCompatibility.Level.FULL, V2_OPTIONAL_ADDED, List.of(V1)).compatible());
    }

    @Test
    void shouldRefuseRemovedRequiredFieldNamingItWhenFull() {
        CompatibilityResult r = AvroCompatibility.check(AvroCompatibility.Level.FULL, V2_REQUIRED_REMOVED, List.of(V1));
        assertFalse(r.compatible());
        assertTrue(String.join(";", r.messages()).contains("b"), r.messages().toString());
    }

    @Test
    void shouldAcceptRemovedRequiredFieldWhenOnlyBackward() {
        // why the project defaults to FULL: BACKWARD alone lets a required field disappear
        assertTrue(AvroCompatibility.check(AvroCompatibility.Level.BACKWARD, V2_REQUIRED_REMOVED, List.of(V1)).compatible());
    }

    @Test
    void shouldRefuseRegisterWhenIncompatibleInMemory() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        registry.register("s", V1);
        registry.register("s", V2_OPTIONAL_ADDED);
        var e = assertThrows(SchemaRegistryException.class, () -> registry.register("s", V2_REQUIRED_REMOVED));
        assertTrue(e.getMessage().contains("incompatible"), e.getMessage());
    }

    @Test
    void shouldNameValidLevelsWhenLevelUnknown() {
        var e = assertThrows(IllegalArgumentException.class, () -> AvroCompatibility.Level.parse("sideways"));
        assertTrue(e.getMessage().contains("FULL_TRANSITIVE"), e.getMessage());
    }
}
