package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProbeAgentConfigTest {

    @Test
    void shouldApplyDesignDefaultsWhenOnlyRequiredSettingsAreGiven() {
        ProbeAgentConfig c = new ProbeAgentConfig(ProbeAgentTest.baseConfig());

        assertEquals(300_000, c.roundIntervalMs());
        assertEquals(0.1, c.roundJitterFraction());
        assertEquals(List.of(1000, 10000, 100000), c.inputTokens());
        assertEquals(List.of(1, 10, 100), c.concurrency());
        assertEquals(3, c.canaryCount());
        assertEquals(List.of(1024, 4096, 16384, 32768, 65536, 131072), c.needleLengths());
        assertEquals(12, c.needleEveryRounds());
        assertEquals(1024 * 1024, c.limits().maxLineBytes());
        assertEquals(4 * 1024 * 1024, c.limits().maxEventBytes());
        assertEquals(64L * 1024 * 1024, c.limits().maxResponseBytes());
        assertEquals("us-east-0", c.agentId(), "region plus agent index when agent.id is empty");
    }

    @Test
    void shouldNameTheSettingWhenRegionIsMissing() {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.remove("region");
        ConfigException e = assertThrows(ConfigException.class, () -> new ProbeAgentConfig(cfg));
        assertTrue(e.getMessage().contains("\"region\""), e.getMessage());
    }

    @Test
    void shouldDeriveTheHeartbeatIntervalFromTheRoundWhenUnset() {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        // default round 300,000 ms: a tenth is 30,000, capped at 10,000
        assertEquals(10_000, new ProbeAgentConfig(cfg).heartbeatIntervalMs());
        cfg.put("round.interval.ms", "2000");
        // a tenth of 2,000 ms
        assertEquals(200, new ProbeAgentConfig(cfg).heartbeatIntervalMs());
    }

    @Test
    void shouldRejectAHeartbeatWindowThatIsNotBelowTheRoundInterval() {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.put("round.interval.ms", "3000");
        cfg.put("heartbeat.interval.ms", "1000");
        // 1,000 ms x 3 (the default multiple) = 3,000 ms, not below the 3,000 ms round
        ConfigException e = assertThrows(ConfigException.class, () -> new ProbeAgentConfig(cfg));
        assertEquals("Invalid value 1000 for configuration heartbeat.interval.ms: times heartbeat.liveness.multiple=3.0 "
                + "must be below round.interval.ms=3000, or a crashed agent's endpoints are not taken over within one round",
                e.getMessage());
        cfg.put("heartbeat.interval.ms", "999");
        assertEquals(999, new ProbeAgentConfig(cfg).heartbeatIntervalMs());
    }

    @Test
    void shouldRejectAnArrivalRateThatIsNotAPositiveNumber() {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.put("arrival.rates", "2,0");
        ConfigException e = assertThrows(ConfigException.class, () -> new ProbeAgentConfig(cfg));
        assertTrue(e.getMessage().contains("arrival.rates") && e.getMessage().contains("got 0"), e.getMessage());
        cfg.put("arrival.rates", "2,fast");
        e = assertThrows(ConfigException.class, () -> new ProbeAgentConfig(cfg));
        assertTrue(e.getMessage().contains("got 'fast'"), e.getMessage());
        cfg.put("arrival.rates", "0.5, 2");
        assertEquals(List.of(0.5, 2.0), new ProbeAgentConfig(cfg).arrivalRates());
    }

    @Test
    void shouldRejectInputLengthWhenItCannotHoldTheInstructions() {
        Map<String, String> cfg = ProbeAgentTest.baseConfig();
        cfg.put("input.tokens", "1000,50");
        ConfigException e = assertThrows(ConfigException.class, () -> new ProbeAgentConfig(cfg));
        assertTrue(e.getMessage().contains("input.tokens") && e.getMessage().contains("got 50"), e.getMessage());
    }

    @Test
    void shouldExitWithCodeTwoAndOneLineWhenConfigFileIsBad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "bootstrap.servers=localhost:9092\nschema.registry.url=http://r:8081\nregion=eu-central\n"
                + "max.line.bytes=5000000\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // ARENA_CATALOG_FILE is consulted too, but the line limit above the event limit fails first.
        int code = new CommandLine(new ProbeAgentMain(Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--config", file.toString());

        assertEquals(2, code);
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals("probe-agent: Invalid value 4194304 for configuration max.event.bytes: must be at least "
                + "max.line.bytes=5000000\n", out);
    }

    @Test
    void shouldExitWithCodeTwoWhenCatalogFileIsMissing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "bootstrap.servers=localhost:9092\nschema.registry.url=http://r:8081\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // region comes from the environment override, the catalogue path too: a file that does not exist.
        Map<String, String> env = Map.of("ARENA_REGION", "ap-southeast",
                "ARENA_CATALOG_FILE", dir.resolve("nope.yaml").toString());
        int code = new CommandLine(new ProbeAgentMain(env, new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--config", file.toString());

        assertEquals(2, code);
        assertEquals("probe-agent: " + dir.resolve("nope.yaml") + ": catalogue file not found\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldDocumentEverySettingWhenGeneratingTheReference() {
        String md = ProbeAgentConfig.markdown();
        for (String key : ProbeAgentConfig.CONFIG_DEF.names()) {
            assertTrue(md.contains("`" + key + "`"), key);
        }
    }
}
