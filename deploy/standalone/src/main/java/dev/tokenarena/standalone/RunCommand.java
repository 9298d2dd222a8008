package dev.tokenarena.standalone;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code arena run --catalog FILE}: the same all-in-one stack against real endpoints. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the all-in-one stack against the real endpoints of a catalogue.",
            "API keys come from the environment variables the catalogue names (api_key_env)."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--catalog", required = true, description = "Endpoint catalogue (YAML).")
    Path catalog;

    @Option(names = "--input-tokens", split = ",", defaultValue = "1000,10000,100000",
            description = "Input lengths of the timing scenarios. Default: ${DEFAULT-VALUE}.")
    List<Integer> inputTokens;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,10",
            description = "Closed-loop concurrency levels. Default: ${DEFAULT-VALUE}.")
    List<Integer> concurrency;

    @Mixin
    StackCommandOptions stack = new StackCommandOptions();

    @Override
    public Integer call() {
        // Real endpoints run in real time: a round every 5 minutes, evals every 30 minutes.
        var pace = new StackCommandOptions.Pace(1, java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(30));
        return RunLoop.run(stack.toOptions(catalog, pace, inputTokens, concurrency,
                List.of(1024, 4096, 16384, 32768, 65536, 131072)), System.out);
    }
}
