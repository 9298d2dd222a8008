package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** The source topics of a topology, in any sub-topology. */
    private static java.util.Set<String> sourceTopics(org.apache.kafka.streams.Topology t) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        t.describe().subtopologies().forEach(st -> st.nodes().forEach(n -> {
            if (n instanceof org.apache.kafka.streams.TopologyDescription.Source src) {
                out.addAll(src.topicSet());
            }
        }));
        return out;
    }

    /**
     * A replay's probe stage reads the probe topic alone (the test driver compiles a regex per
     * other source topic for every record it is given), and its scoring stage reads everything
     * else, with the probe stage's output in place of the probe topic.
     */
    @Test
    void shouldSplitAReplayIntoAProbeStageWithOneSourceAndAScoringStageWithTheRest() {
        ScoringParams params = ScoringParams.defaults();
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        ScoringTopology.DirectOutput none = (topic, key, value, ts, headers) -> { };
        assertEquals(java.util.Set.of(dev.tokenarena.schemas.Topics.PROBE_RESULTS.name()),
                sourceTopics(ScoringTopology.buildReplayProbeStage(params, registry, "r", none, null)));
        java.util.Set<String> scoring = sourceTopics(ScoringTopology.buildReplayScoringStage(params, registry, "r", none));
        org.junit.jupiter.api.Assertions.assertFalse(scoring.contains(dev.tokenarena.schemas.Topics.PROBE_RESULTS.name()));
        org.junit.jupiter.api.Assertions.assertTrue(scoring.containsAll(ScoringTopology.replayEdgeTopics(params)), scoring.toString());
        for (dev.tokenarena.schemas.TopicSpec<?> t : List.of(dev.tokenarena.schemas.Topics.ENDPOINTS,
                dev.tokenarena.schemas.Topics.PRICES, dev.tokenarena.schemas.Topics.HARDWARE,
                dev.tokenarena.schemas.Topics.EVAL_RESULTS, dev.tokenarena.schemas.Topics.EVAL_FINGERPRINTS)) {
            org.junit.jupiter.api.Assertions.assertTrue(scoring.contains(t.name()), t.name() + " in " + scoring);
        }
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
