package dev.tokenarena.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EnergyFeedMainTest {

    @TempDir
    Path dir;

    @Test
    void shouldExitTwoWithCatalogueErrorWhenFieldMissing() throws IOException {
        Path catalog = Files.writeString(dir.resolve("endpoints.yaml"),
                EnergyFeedTest.CATALOG.replace("    model: llama-3.3-70b\n    sku: turbo", "    sku: turbo"));
        Path config = Files.writeString(dir.resolve("feed.properties"), "bootstrap.servers=localhost:9092\n"
                + "schema.registry.url=http://localhost:8081\ncatalog.file=" + catalog + "\n");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new EnergyFeedMain());
        cmd.setErr(new PrintWriter(err, true));

        assertEquals(2, cmd.execute("--config", config.toString()));
        assertEquals("energy-feed: " + catalog + ": endpoints[0] (id=acme-a): field 'model': missing required field",
                err.toString().strip());
    }

    @Test
    void shouldExitTwoNamingSettingWhenCatalogFileMissingFromConfig() throws IOException {
        Path config = Files.writeString(dir.resolve("feed.properties"),
                "bootstrap.servers=localhost:9092\nschema.registry.url=http://localhost:8081\n");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new EnergyFeedMain());
        cmd.setErr(new PrintWriter(err, true));
        assertEquals(2, cmd.execute("--config", config.toString()));
        assertEquals(1, err.toString().strip().lines().count());
        assertEquals(true, err.toString().contains("catalog.file"));
    }
}
