package dev.tokenarena.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Topic value schemas stay FULL compatible with what was published before: a registry with FULL
 * compatibility would refuse the new version at the first produce otherwise. The previous
 * versions are copies under {@code compat/} taken before the self-hosted fields were added.
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
        Schema previous;
        try (InputStream in = SchemaEvolutionTest.class.getClassLoader().getResourceAsStream(previousResource)) {
            previous = new Schema.Parser().parse(in);
        }
        CompatibilityResult r = AvroCompatibility.check(AvroCompatibility.Level.FULL, current, List.of(previous));
        assertTrue(r.compatible(), r.messages().toString());
    }
}
