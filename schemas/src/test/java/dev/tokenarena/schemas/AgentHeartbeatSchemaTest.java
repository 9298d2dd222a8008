package dev.tokenarena.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.registry.AvroCompatibility;
import dev.tokenarena.schemas.v1.AgentHeartbeat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class AgentHeartbeatSchemaTest {

    @Test
    void shouldDocumentEveryFieldOfTheHeartbeat() {
        Schema s = AgentHeartbeat.getClassSchema();
        assertFalse(s.getDoc() == null || s.getDoc().isBlank());
        for (Schema.Field f : s.getFields()) {
            assertFalse(f.doc() == null || f.doc().isBlank(), f.name() + " has no doc");
        }
    }

    @Test
    void shouldCatalogueTheHeartbeatTopicAsCompactedOnOnePartitionKeyedByAgent() {
        TopicSpec<AgentHeartbeat> t = Topics.AGENT_HEARTBEATS;
        assertTrue(Topics.all().contains(t));
        assertEquals(t, Topics.byName("arena.agents.heartbeats.v1").orElseThrow());
        assertTrue(t.compacted(), "latest heartbeat per agent; tombstones delete");
        assertEquals(1, t.partitions());
        assertEquals("agent_id", t.keyDoc());
        assertEquals("compact", t.configs().get("cleanup.policy"));
    }

    /**
     * The timing fields carry defaults so a later version may drop them, and readers of this
     * version can read a later one that adds an optional field: FULL both ways.
     */
    @Test
    void shouldStayFullCompatibleWhenATimingFieldIsDroppedOrAnOptionalFieldAdded() {
        Schema next = SchemaBuilder.record("AgentHeartbeat").namespace("dev.tokenarena.schemas.v1").fields()
                .requiredString("agent_id").requiredString("region")
                .name("at_ms").type().longType().longDefault(0)
                .optionalString("version")
                .endRecord();
        assertTrue(AvroCompatibility.check(AvroCompatibility.Level.FULL, next, List.of(AgentHeartbeat.getClassSchema()))
                .compatible());
        assertTrue(AvroCompatibility.check(AvroCompatibility.Level.FULL, AgentHeartbeat.getClassSchema(), List.of(next))
                .compatible());
    }
}
