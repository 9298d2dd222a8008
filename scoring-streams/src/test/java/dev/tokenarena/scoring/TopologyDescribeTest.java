package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The topology's shape is a contract: internal topic and store names survive only if every
 * stateful operator keeps its name. Regenerate deliberately with -Dgolden.update=true and review
 * the diff.
 */
class TopologyDescribeTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/scoring-topology.txt");

    @Test
    void shouldMatchGoldenDescriptionWhenBuiltFromDefaults() throws Exception {
        String actual = ScoringTopology.build(ScoringParams.defaults(), new InMemorySchemaRegistry(), "")
                .describe().toString();
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), actual);
    }

    /**
     * Probes are most of the input records; Kafka 4.3 formats a line per empty input partition of
     * a task on every record's readiness check, so their sub-topology must read nothing else.
     */
    @Test
    void shouldReadProbeResultsInASubTopologyWithNoOtherSource() {
        org.apache.kafka.streams.TopologyDescription d = ScoringTopology.build(ScoringParams.defaults(),
                new InMemorySchemaRegistry(), "").describe();
        org.apache.kafka.streams.TopologyDescription.Subtopology probes = d.subtopologies().stream()
                .filter(st -> st.nodes().stream().anyMatch(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Source src
                        && src.topicSet().contains(dev.tokenarena.schemas.Topics.PROBE_RESULTS.name())))
                .findFirst().orElseThrow();
        long sources = probes.nodes().stream()
                .filter(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Source).count();
        assertEquals(1, sources, probes.toString());
    }

    @Test
    void shouldWriteToNamespacedTopicsWhenNamespaceIsSet() {
        String d = ScoringTopology.build(ScoringParams.defaults(), new InMemorySchemaRegistry(), "replay1")
                .describe().toString();
        org.junit.jupiter.api.Assertions.assertTrue(d.contains("topic: arena.composites.v1.replay1"), d);
        org.junit.jupiter.api.Assertions.assertTrue(d.contains("topic: arena.leaderboard.v1.replay1"));
        org.junit.jupiter.api.Assertions.assertTrue(d.contains("topic: arena.alerts.drift.v1.replay1"));
        org.junit.jupiter.api.Assertions.assertTrue(d.contains("topic: arena.dlq.v1.replay1"));
    }
}
