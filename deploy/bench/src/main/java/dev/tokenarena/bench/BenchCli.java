package dev.tokenarena.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bench} with its two subcommands, {@link ProbeBench} ({@code probe}) and
 * {@link ScoringBench} ({@code scoring}). Mounted by the arena CLI as {@code arena bench}; also
 * runnable from this module alone:
 * {@code java -cp "$(cat target/classpath.txt):target/classes" dev.tokenarena.bench.BenchCli probe --json}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {ProbeBench.class, ScoringBench.class},
        description = "Benchmarks (not tests): figures printed, nothing asserted.")
public final class BenchCli implements Runnable {

    @Spec
    CommandSpec spec;

    /** For picocli. */
    public BenchCli() {
    }

    /** Without a subcommand: the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        dev.tokenarena.scoring.ScoringApp.useUsFormatLocale();
        System.exit(new CommandLine(new BenchCli()).execute(args));
    }
}
