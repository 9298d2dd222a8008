package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.energy.EnergyFeedConfig;
import dev.tokenarena.eval.EvalConfig;
import dev.tokenarena.probe.ProbeAgentConfig;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.config.CommonConfig;
import dev.tokenarena.scoring.ScoringConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The files in deploy/ are parsed by the same ConfigDefs the components use, so a renamed or
 * mistyped setting fails here and not at 3 a.m. in a region; topic names in them must be in the
 * catalogue, and every config a manifest mounts must exist.
 */
class DeployConfigTest {

    private static final Path DEPLOY = Path.of("..").toAbsolutePath().normalize();
    private static final Path CONFIG = DEPLOY.resolve("config");

    private static Map<String, String> load(String file, org.apache.kafka.common.config.ConfigDef def) {
        return CommonConfig.load(CONFIG.resolve(file), def, Map.of());
    }

    @Test
    void shouldParseEveryRegionalProbeConfigWithItsOwnRegion() {
        for (String region : List.of("us-east", "eu-central", "ap-southeast")) {
            ProbeAgentConfig config = new ProbeAgentConfig(load("probe-" + region + ".properties", ProbeAgentConfig.CONFIG_DEF));
            assertEquals(region, config.region());
            // the design's scenario grid: 1K/10K/100K inputs at concurrency 1/10/100
            assertEquals(List.of(1000, 10000, 100000), config.inputTokens());
            assertEquals(List.of(1, 10, 100), config.concurrency());
        }
    }

    @Test
    void shouldParseServiceConfigsWithTheirConfigDefs() {
        new EvalConfig(load("eval-worker.properties", EvalConfig.configDef()));
        new EnergyFeedConfig(load("energy-feed.properties", EnergyFeedConfig.configDef()));
        ScoringConfig scoring = new ScoringConfig(load("scoring.properties", ScoringConfig.definition()));
        assertEquals("arena-scoring", scoring.applicationId());
    }

    @Test
    void shouldUseOnlyCatalogueTopicsInConnectorConfigs() throws Exception {
        JsonNode connectors = new ObjectMapper().readTree(CONFIG.resolve("connect-sinks.json").toFile());
        assertEquals(2, connectors.size());
        for (JsonNode c : connectors) {
            for (String topic : c.get("config").get("topics").asText().split(",")) {
                assertTrue(Topics.byName(topic).isPresent(), topic + " is not in the topic catalogue");
            }
            assertEquals(Topics.DLQ.name(), c.get("config").get("errors.deadletterqueue.topic.name").asText());
        }
    }

    @Test
    void shouldStartEveryProbeAgentWithTheAgentJvmOptions() throws Exception {
        String manifest = Files.readString(DEPLOY.resolve("k8s/tokenarena.yaml"));
        int probes = manifest.split("args: \\[\"component\", \"probe\"", -1).length - 1;
        int withOptions = manifest.split(Pattern.quote("value: \"" + dev.tokenarena.probe.ProbeAgentMain.JVM_OPTIONS + " "), -1).length - 1;
        assertEquals(3, probes);
        assertEquals(probes, withOptions, "each probe container sets JAVA_OPTS to ProbeAgentMain.JVM_OPTIONS");
        String launcher = Files.readString(DEPLOY.resolveSibling("arena"));
        assertTrue(launcher.contains(" " + dev.tokenarena.probe.ProbeAgentMain.JVM_OPTIONS + "\""),
                "./arena component probe defaults to ProbeAgentMain.JVM_OPTIONS");
    }

    @Test
    void shouldMountOnlyConfigsThatExistWhenManifestNamesThem() throws Exception {
        String manifest = Files.readString(DEPLOY.resolve("k8s/tokenarena.yaml"));
        Matcher m = Pattern.compile("/etc/tokenarena/([a-z-]+\\.properties)").matcher(manifest);
        int seen = 0;
        while (m.find()) {
            assertTrue(Files.exists(CONFIG.resolve(m.group(1))), "manifest mounts missing " + m.group(1));
            seen++;
        }
        // three probes, eval worker, energy feed, scoring
        assertEquals(6, seen);
    }
}
