package dev.tokenarena.standalone;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code arena demo}: the whole chain against the simulated fleet, time compressed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole chain on one machine against a simulated fleet of nine endpoints.",
            "A real KRaft broker, schema registry, probe agents in three regions (two sharing the first",
            "region's endpoints), the eval worker, the feeds, the scoring topology and a Kafka Connect",
            "worker run in this JVM. At 35%% of the run one endpoint is silently quantized and at 70%%",
            "reverted, so a fidelity alert opens and resolves."})
final class DemoCommand implements Callable<Integer> {

    @Mixin
    StackCommandOptions stack = new StackCommandOptions();

    @Override
    public Integer call() {
        // Scenarios sized so a round fits the compressed interval: 1K and 8K inputs, concurrency 1 and 4.
        // Two agents in the first region show how a region's agents split its endpoints.
        var pace = new StackCommandOptions.Pace(60, Duration.ofSeconds(5), Duration.ofSeconds(5), 2);
        return RunLoop.run(stack.toOptions(null, pace, List.of(1000, 8000), List.of(1, 4),
                List.of(1024, 4096, 16384, 32768, 65536)), System.out);
    }
}
