package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.config.CommonConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration reference in README.md is generated from the ConfigDefs and must stay in step. */
class ConfigReferenceTest {

    static String reference() {
        return CommonConfig.markdown("SnapshotSinkConnector", SnapshotSinkConfig.CONFIG_DEF)
                + CommonConfig.markdown("JsonLinesSinkConnector", JsonLinesSinkConfig.CONFIG_DEF)
                + CommonConfig.markdown("PostgresSinkConnector", PostgresSinkConfig.CONFIG_DEF)
                + CommonConfig.markdown("WebhookSinkConnector", WebhookSinkConfig.CONFIG_DEF);
    }

    @Test
    void shouldMatchConfigDefsWhenReadmeIsRead() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String expected = reference();
        assertTrue(readme.contains(expected), "README.md is out of date; its configuration reference should be:\n"
                + expected);
    }
}
