package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.config.CommonConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ScoringConfigTest {

    private static Map<String, String> required() {
        Map<String, String> m = new HashMap<>();
        m.put(CommonConfig.BOOTSTRAP_SERVERS, "localhost:9092");
        m.put(CommonConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        return m;
    }

    @Test
    void shouldRunExactlyOnceWithDeadLetterHandlerWhenBuildingStreamsProperties() {
        Map<String, String> m = required();
        m.put(ScoringConfig.OUTPUT_NAMESPACE, "replay1");
        Properties p = ScoringApp.streamsProperties(new ScoringConfig(m), new DeadLetterCounter());
        assertEquals("arena-scoring", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals(DeadLetterHandler.class, p.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(Topics.DLQ.name() + ".replay1", p.get(DeadLetterHandler.DLQ_TOPIC_CONFIG));
    }

    @Test
    void shouldNameSettingWhenNamespaceHasIllegalCharacters() {
        Map<String, String> m = required();
        m.put(ScoringConfig.OUTPUT_NAMESPACE, "a/b");
        ConfigException e = assertThrows(ConfigException.class, () -> new ScoringConfig(m));
        assertTrue(e.getMessage().contains("output.namespace"), e.getMessage());
    }

    @Test
    void shouldNameParamsFileAndPresetWhenParamsAreInvalid() throws Exception {
        Path bad = Files.createTempFile(Path.of("target"), "params-", ".yaml");
        Files.writeString(bad, ScoringParamsTest.defaultYaml().replace("ratio: {input: 3, output: 1}\n    weights: {speed: 0.25",
                "ratio: {input: 3, output: 1}\n    weights: {speed: 0.95"));
        Map<String, String> m = required();
        m.put(ScoringConfig.SCORING_PARAMS_FILE, bad.toString());
        ConfigException e = assertThrows(ConfigException.class, () -> new ScoringConfig(m));
        assertTrue(e.getMessage().contains("scoring.params.file") && e.getMessage().contains("preset 'chat'"),
                e.getMessage());
    }

    @Test
    void shouldExitWithCodeTwoAndOneLineReasonWhenConfigFileIsMissing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new ScoringMain()).execute("--config", "target/does-not-exist.properties");
            assertEquals(2, code);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("arena-scoring: target/does-not-exist.properties: config file not found"), text);
    }
}
