package dev.tokenarena.standalone;

import dev.tokenarena.energy.EnergyFeedConfig;
import dev.tokenarena.eval.EvalConfig;
import dev.tokenarena.probe.ProbeAgentConfig;
import dev.tokenarena.schemas.config.CommonConfig;
import dev.tokenarena.scoring.ScoringConfig;
import dev.tokenarena.sink.JsonLinesSinkConfig;
import dev.tokenarena.sink.PostgresSinkConfig;
import dev.tokenarena.sink.SnapshotSinkConfig;
import dev.tokenarena.sink.WebhookSinkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arena config-docs}: writes the configuration reference from the components' own
 * ConfigDefs, so the document cannot drift from the code (a test compares it with docs/).
 */
@Command(name = "config-docs", mixinStandardHelpOptions = true,
        description = "Print (or write) the configuration reference generated from the code.")
final class ConfigDocsCommand implements Callable<Integer> {

    @Option(names = "--write", description = "Write to this file instead of printing.")
    Path target;

    static String render() {
        return "# Configuration reference\n\n"
                + "Generated from the components' `ConfigDef`s by `./arena config-docs --write docs/configuration.md`;"
                + " do not edit by hand.\n\n"
                + "Every service reads a properties file (`--config FILE`) and then environment overrides: a key"
                + " `a.b-c` is overridden by `" + CommonConfig.ENV_PREFIX + "A_B_C`. Secrets (API keys) are never"
                + " settings: the catalogue names the environment variable that holds each key.\n\n"
                + CommonConfig.markdown("probe-agent (`ProbeAgentMain --config FILE`)", ProbeAgentConfig.CONFIG_DEF)
                + CommonConfig.markdown("eval-worker (`EvalWorkerMain --config FILE`)", EvalConfig.configDef())
                + CommonConfig.markdown("energy-feed (`EnergyFeedMain --config FILE`)", EnergyFeedConfig.configDef())
                + CommonConfig.markdown("scoring-streams (`ScoringMain --config FILE`)", ScoringConfig.definition())
                + CommonConfig.markdown("SnapshotSinkConnector (Kafka Connect)", SnapshotSinkConfig.CONFIG_DEF)
                + CommonConfig.markdown("JsonLinesSinkConnector (Kafka Connect)", JsonLinesSinkConfig.CONFIG_DEF)
                + CommonConfig.markdown("PostgresSinkConnector (Kafka Connect)", PostgresSinkConfig.CONFIG_DEF)
                + CommonConfig.markdown("WebhookSinkConnector (Kafka Connect)", WebhookSinkConfig.CONFIG_DEF);
    }

    @Override
    public Integer call() throws IOException {
        String doc = render();
        if (target == null) {
            System.out.print(doc);
        } else {
            Files.writeString(target, doc);
        }
        return 0;
    }
}
