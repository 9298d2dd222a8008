package dev.tokenarena.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/**
 * Topic value schemas stay FULL compatible with what was published before: a registry with FULL
 * compatibility would refuse the new version at the first produce otherwise. The previous
 * versions are copies under {@code compat/}, each taken before the change its test names.
 */
class SchemaEvolutionTest {

    @Test
    void shouldStayFullCompatibleWhenSelfHostedFieldsAreAddedToEndpoint() throws IOException {
        assertFullCompatible(Endpoint.getClassSchema(), "compat/Endpoint-v1.0.avsc");
    }

    @Test
    void shouldStayFullCompatibleWhenSelfHostedFieldsAreAddedToEndpointComposite() throws IOException {
        assertFullCompatible(EndpointComposite.getClassSchema(), "compat/EndpointComposite-v1.0.avsc");
    }

    @Test
    void shouldStayFullCompatibleWhenPricedFlagIsAddedToEvalItemResult() throws IOException {
        assertFullCompatible(EvalItemResult.getClassSchema(), "compat/EvalItemResult-v1.0.avsc");
    }

    /** Items from a worker that predates the flag were all costed at a price (or dead-lettered as NaN). */
    @Test
    void shouldReadEvalItemAsPricedWhenWrittenBeforeThePricedFlag() throws IOException {
        Schema previous = parse("compat/EvalItemResult-v1.0.avsc");
        GenericRecord old = new GenericData.Record(previous);
        for (Schema.Field f : previous.getFields()) {
            old.put(f.name(), switch (f.schema().getType()) {
                case STRING -> "x";
                case LONG -> 1L;
                case INT -> 1;
                case DOUBLE -> 0.0007;
                case BOOLEAN -> true;
                default -> null;
            });
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(previous).write(old, enc);
        enc.flush();
        EvalItemResult read = new SpecificDatumReader<EvalItemResult>(previous, EvalItemResult.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertTrue(read.getPriced());
        assertEquals(0.0007, read.getCostUsd(), 0.0);
    }

    /**
     * LeaderboardSnapshot embeds EndpointComposite at generation time, and the Avro plugin only
     * regenerates changed files: an incremental build once kept the old copy, and every snapshot
     * whose composite set a new field failed to encode ("Not in union").
     */
    @Test
    void shouldEmbedTheCurrentEndpointCompositeWhenLeaderboardSnapshotIsGenerated() {
        Schema embedded = LeaderboardSnapshot.getClassSchema().getField("rows").schema().getElementType()
                .getField("composite").schema();
        assertEquals(EndpointComposite.getClassSchema(), embedded,
                "stale generated LeaderboardSnapshot: touch LeaderboardSnapshot.avsc and rebuild schemas");
    }

    private static void assertFullCompatible(Schema current, String previousResource) throws IOException {
        Schema previous = parse(previousResource);
        CompatibilityResult r = AvroCompatibility.check(AvroCompatibility.Level.FULL, current, List.of(previous));
        assertTrue(r.compatible(), r.messages().toString());
    }

    private static Schema parse(String resource) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getClassLoader().getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        }
    }
}
