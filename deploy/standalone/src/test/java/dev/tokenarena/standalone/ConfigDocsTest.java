package dev.tokenarena.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void shouldKeepConfigurationReferenceInStepWhenSettingsChange() throws Exception {
        Path doc = Path.of("../../docs/configuration.md").toAbsolutePath().normalize();
        assertEquals(ConfigDocsCommand.render(), Files.readString(doc),
                "docs/configuration.md is stale: run ./arena config-docs --write docs/configuration.md");
    }
}
