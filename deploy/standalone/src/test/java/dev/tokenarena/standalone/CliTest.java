package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    private record Result(int code, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = ArenaCli.run(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
        }
    }

    /** Every command's help renders cleanly: a bare '%' in a description made picocli warn and print raw text. */
    @Test
    void shouldRenderEveryCommandsHelpWithoutFormatWarnings() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        java.util.List<String> usages = new java.util.ArrayList<>();
        try {
            java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
            todo.add(new picocli.CommandLine(ArenaCli.class));
            while (!todo.isEmpty()) {
                picocli.CommandLine c = todo.poll();
                usages.add(c.getUsageMessage());
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(oldErr);
        }
        String warnings = err.toString(StandardCharsets.UTF_8);
        assertTrue(usages.size() > 10, "commands found: " + usages.size());
        assertTrue(!warnings.contains("Could not format"), warnings);
        assertTrue(usages.stream().anyMatch(u -> u.contains("At 35% of the run")), "the demo's help, formatted");
    }

    @Test
    void shouldExitTwoWithOneLineNamingTheFieldWhenCatalogueMissesAField(@TempDir Path dir) throws Exception {
        Path catalog = dir.resolve("endpoints.yaml");
        Files.writeString(catalog, """
                endpoints:
                  - id: acme-1
                    provider: acme
                    model: llama-3.3-70b
                    sku: turbo
                    precision: fp8
                    region: us-east
                    protocol: openai-chat
                    base_url: https://api.acme.example/v1
                    model_name: llama-turbo
                    context_tokens: 131072
                    price: {input_usd_per_mtok: 0.88, output_usd_per_mtok: 0.88}
                """);
        Result r = run("run", "--catalog", catalog.toString(), "--duration", "1s", "--out", dir.resolve("out").toString());
        assertEquals(ArenaCli.EXIT_BAD_INPUT, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("field 'grid_zone': missing required field"), r.err());
    }

    @Test
    void shouldExitTwoWhenCatalogueFileDoesNotExist(@TempDir Path dir) {
        Result r = run("run", "--catalog", dir.resolve("nope.yaml").toString(), "--duration", "1s");
        assertEquals(ArenaCli.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("catalogue file not found"), r.err());
    }

    @Test
    void shouldRefuseMalformedDurationWhenParsingOptions() {
        Result r = run("demo", "--duration", "soon");
        assertEquals(ArenaCli.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("'soon' is not a duration"), r.err());
    }

    @Test
    void shouldExitTwoWithOneLineNamingTheOptionWhenFirstRegionAgentsIsOutOfRange() {
        // refused before anything starts: no port is bound, no directory written
        Result r = run("demo", "--first-region-agents", "0", "--kafka-port", "0", "--registry-port", "0", "--api-port", "0");
        assertEquals(ArenaCli.EXIT_BAD_INPUT, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--first-region-agents must be between 1 and 8, got 0"), r.err());
    }

    @Test
    void shouldExitTwoNamingTheOptionWhenHistoryDbIsNotAJdbcPostgresUrl() {
        Result r = run("demo", "--history-db", "postgres://u:pw@db/arena", "--kafka-port", "0", "--registry-port", "0",
                "--api-port", "0");
        assertEquals(ArenaCli.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("--history-db must be a jdbc:postgresql: URL"), r.err());
        assertTrue(!r.err().contains("pw@"), "the URL, which may hold a password, is not echoed: " + r.err());
    }

    @Test
    void shouldExitTwoNamingTheOptionWhenReplayRangeIsNotAnInstant() {
        Result r = run("replay", "--from", "yesterday", "--to", "2026-11-02T00:00:00Z", "--as", "x");
        assertEquals(ArenaCli.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("--from 'yesterday' is not an ISO-8601 instant"), r.err());
    }
}
