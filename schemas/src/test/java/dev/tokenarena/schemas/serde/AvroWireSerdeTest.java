package dev.tokenarena.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.GridIntensity;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroWireSerdeTest {

    private static GridIntensity grid() {
        return GridIntensity.newBuilder().setZone("DE").setGco2PerKwh(380.0).setSource("test")
                .setEffectiveFromMs(1_700_000_000_000L).build();
    }

    @Test
    void shouldFrameWithMagicByteAndRegisteredIdWhenEncoding() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroWireSerde<GridIntensity> serde = AvroWireSerde.forTopic(Topics.GRID, registry);
        byte[] bytes = serde.encode(Topics.GRID.name(), grid());
        int id = registry.latest(Topics.GRID.valueSubject()).id();
        // magic 0, then the id as 4 big-endian bytes: the first schema in a fresh registry is id 1
        assertEquals(1, id);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1}, Arrays.copyOf(bytes, 5));
        assertEquals(grid(), serde.decode(bytes));
    }

    /**
     * The serde writes with the generated classes' own coders; the body must be the very bytes
     * Avro's generic writer makes from the schema (a record with a nested record, unions set and
     * null, and a map).
     */
    @Test
    void shouldWriteTheBytesOfTheGenericWriterWithTheClassesOwnCoders() throws Exception {
        DriftAlert alert = DriftAlert.newBuilder().setAlertId("a1").setEndpointId("e1").setKind("FIDELITY")
                .setState("OPEN").setOpenedAtMs(1L).setEventTimeMs(2L).setSeverity("warning").setSummary("F fell")
                .setConfigHash("h").setEvidence(AlertEvidence.newBuilder().setMetric("F").setBaseline(0.99)
                        .setCurrent(null).setThreshold(0.9).setBaselineCount(40L).setCurrentCount(null)
                        .setStatistic(2.5).setDetails(java.util.Map.of("noise_floor", "0.01", "k", "20")).build())
                .build();
        AvroWireSerde<DriftAlert> serde = AvroWireSerde.forTopic(Topics.ALERTS, new InMemorySchemaRegistry());
        byte[] framed = serde.encode(Topics.ALERTS.name(), alert);
        ByteArrayOutputStream generic = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(generic, null);
        new org.apache.avro.specific.SpecificDatumWriter<DriftAlert>(DriftAlert.getClassSchema(),
                new org.apache.avro.specific.SpecificData()).write(alert, encoder);
        encoder.flush();
        assertArrayEquals(generic.toByteArray(), Arrays.copyOfRange(framed, WireFormat.HEADER_BYTES, framed.length));
        assertEquals(alert, serde.decode(framed));
    }

    @Test
    void shouldNameTheProblemWhenPayloadIsNotWireFormat() {
        AvroWireSerde<GridIntensity> serde = AvroWireSerde.forTopic(Topics.GRID, new InMemorySchemaRegistry());
        var shortPayload = assertThrows(WireFormat.InvalidPayloadException.class, () -> serde.decode(new byte[] {0, 1}));
        assertTrue(shortPayload.getMessage().contains("shorter than the 5-byte"), shortPayload.getMessage());
        var badMagic = assertThrows(WireFormat.InvalidPayloadException.class,
                () -> serde.decode(new byte[] {7, 0, 0, 0, 1, 2}));
        assertTrue(badMagic.getMessage().contains("magic byte 7"), badMagic.getMessage());
    }

    @Test
    void shouldRefuseTruncatedBodyWhenHeaderIsValid() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroWireSerde<GridIntensity> serde = AvroWireSerde.forTopic(Topics.GRID, registry);
        byte[] bytes = serde.encode(Topics.GRID.name(), grid());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 4);
        var e = assertThrows(WireFormat.InvalidPayloadException.class, () -> serde.decode(truncated));
        assertTrue(e.getMessage().contains("GridIntensity"), e.getMessage());
    }

    @Test
    void shouldDecodeOlderWriterSchemaWhenReaderAddedOptionalField() throws Exception {
        // A producer still on a schema without 'source' and 'effective_from_ms' would be refused by FULL;
        // here we check resolution itself: a writer with an extra field the reader lacks is skipped.
        Schema writer = SchemaBuilder.record("GridIntensity").namespace("dev.tokenarena.schemas.v1").fields()
                .requiredString("zone").requiredDouble("gco2_per_kwh").requiredString("source")
                .requiredLong("effective_from_ms").optionalString("comment").endRecord();
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(
                dev.tokenarena.schemas.registry.AvroCompatibility.Level.NONE);
        int id = registry.register("x-value", writer);
        GenericRecord old = new GenericData.Record(writer);
        old.put("zone", "FR");
        old.put("gco2_per_kwh", 56.0);
        old.put("source", "old");
        old.put("effective_from_ms", 5L);
        old.put("comment", "ignored by the reader");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0, 0, (byte) id});
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer).write(old, enc);
        enc.flush();
        GridIntensity decoded = AvroWireSerde.forTopic(Topics.GRID, registry).decode(out.toByteArray());
        assertEquals("FR", decoded.getZone());
        assertEquals(56.0, decoded.getGco2PerKwh());
    }

    @Test
    void shouldPassNullThroughWhenValueIsTombstone() {
        AvroWireSerde<GridIntensity> serde = AvroWireSerde.forTopic(Topics.GRID, new InMemorySchemaRegistry());
        assertNull(serde.encode(Topics.GRID.name(), null));
        assertNull(serde.decode(null));
    }
}
