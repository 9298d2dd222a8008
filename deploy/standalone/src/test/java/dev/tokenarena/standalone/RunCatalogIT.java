package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.simulator.DefaultFleet;
import dev.tokenarena.simulator.RegionListener;
import dev.tokenarena.simulator.Simulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code arena run --catalog FILE} against endpoints it knows only from a user's catalogue: here
 * two simulator endpoints on a real socket, nothing of the demo's wiring (no simulator handle,
 * no demo key), one region.
 */
class RunCatalogIT {

    @Test
    void shouldScoreTheCataloguedEndpointsWhenRunAgainstACatalogue() throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "run-it-" + System.nanoTime());
        Files.createDirectories(dir);
        try (Simulator sim = Simulator.start(List.of(DefaultFleet.original(DefaultFleet.REFERENCE),
                DefaultFleet.original(DefaultFleet.ROCKET)), List.of(new RegionListener("local", 0, 0)))) {
            Path catalog = dir.resolve("endpoints.yaml");
            Files.writeString(catalog, entry(DefaultFleet.REFERENCE, true, sim.baseUrl("local", DefaultFleet.REFERENCE), 0.9, 0.9)
                    + entry(DefaultFleet.ROCKET, false, sim.baseUrl("local", DefaultFleet.ROCKET), 2.5, 3.5)
                    .replace("endpoints:\n", ""));
            StackCommandOptions cli = new StackCommandOptions();
            cli.duration = Duration.ofSeconds(45);
            cli.out = dir.resolve("out");
            cli.kafkaPort = 0;
            cli.registryPort = 0;
            cli.apiPort = 0;
            cli.regions = List.of("us-east");
            cli.timeFactor = 60.0;
            cli.probeInterval = Duration.ofSeconds(5);
            cli.evalInterval = Duration.ofSeconds(5);
            StackOptions options = cli.toOptions(catalog, new StackCommandOptions.Pace(1, Duration.ofMinutes(5),
                    Duration.ofMinutes(30)), List.of(1000), List.of(1, 2), List.of(1024, 4096));
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            int code = RunLoop.run(options, new PrintStream(console, true, StandardCharsets.UTF_8));
            String text = console.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);

            JsonNode chat = new ObjectMapper().readTree(cli.out.resolve("leaderboard-chat.json").toFile());
            Set<String> ids = new HashSet<>();
            chat.get("rows").forEach(r -> ids.add(r.get("endpoint_id").asText()));
            assertEquals(Set.of(DefaultFleet.REFERENCE, DefaultFleet.ROCKET), ids, text);
            // rocket (in 2.5, out 3.5) under chat 3:1: (7.5 + 3.5) / 4 = 2.75 USD per 1M tokens
            for (JsonNode row : chat.get("rows")) {
                if (row.get("endpoint_id").asText().equals(DefaultFleet.ROCKET)) {
                    assertEquals(2.75, row.get("blended_usd_per_mtok").asDouble(), 1e-9);
                    assertEquals("faithful", row.get("fidelity_status").asText(), row.toString());
                }
            }
            assertTrue(Files.readAllLines(cli.out.resolve("probe-results.jsonl")).stream()
                    .allMatch(l -> l.contains("\"region\":\"us-east\"")));
        }
    }

    private static String entry(String id, boolean reference, String url, double in, double out) {
        return """
                endpoints:
                  - id: %s
                    provider: %s
                    model: llama-3.3-70b
                    sku: std
                    precision: bf16
                    region: us-east
                    grid_zone: US-MIDA-PJM
                    protocol: openai-chat
                    base_url: %s
                    model_name: llama
                    reference: %s
                    context_tokens: 131072
                    logprobs: true
                    price: {input_usd_per_mtok: %s, output_usd_per_mtok: %s}
                """.formatted(id, id.split("-")[0], url, reference, in, out);
    }
}
