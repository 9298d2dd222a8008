package dev.tokenarena.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bench} with its two subcommands, for running the harnesses from this module alone
 * ({@code java -cp $(cat target/classpath.txt):target/classes dev.tokenarena.bench.BenchCli probe --json}).
 * The arena CLI mounts {@link ProbeBench} and {@link ScoringBench} itself.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {ProbeBench.class, ScoringBench.class},
        description = "Benchmarks (not tests): figures printed, nothing asserted.")
public final class BenchCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCli()).execute(args));
    }
}
