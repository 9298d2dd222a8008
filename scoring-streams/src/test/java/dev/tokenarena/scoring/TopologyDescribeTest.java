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
