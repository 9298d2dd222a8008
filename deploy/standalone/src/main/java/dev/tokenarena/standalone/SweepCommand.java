package dev.tokenarena.standalone;

import dev.tokenarena.probe.SweepOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code arena sweep}: steps concurrency (or Poisson arrival rate) against a self-hosted endpoint
 * until it saturates and reports throughput, interactivity, TTFT/TPOT, error rate and $/1M output
 * tokens per step. The options and the run live in probe-agent ({@link SweepOptions}); bad options
 * end with one line naming the option and exit code 2 (ArenaCli's handler).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Step concurrency (or arrival rate) against a self-hosted endpoint until it saturates; "
                + "report throughput vs interactivity and $/1M output tokens per step (see docs/operations.md).")
final class SweepCommand implements Callable<Integer> {

    @Mixin
    SweepOptions options;

    @Override
    public Integer call() throws Exception {
        return options.execute(System.out, System.err, System::getenv);
    }
}
