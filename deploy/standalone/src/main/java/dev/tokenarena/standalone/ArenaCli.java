package dev.tokenarena.standalone;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code arena} command line. Every subcommand exits non-zero with a one-line reason on bad
 * config or bad input; stack traces go to the log file, not the terminal.
 */
@Command(name = "arena", mixinStandardHelpOptions = true, version = "TokenArena 0.1.0",
        description = "Continuous endpoint-level benchmark for LLM inference.",
        subcommands = {DemoCommand.class, RunCommand.class, ComponentCommand.class, EvalCommand.class, TopicsCommand.class,
                ReplayCommand.class, AlertsCommand.class, LeaderboardCommand.class, dev.tokenarena.bench.BenchCli.class,
                SweepCommand.class,
                ConfigDocsCommand.class,
                CommandLine.HelpCommand.class})
public final class ArenaCli {

    /** Exit code for bad configuration or input. */
    public static final int EXIT_BAD_INPUT = 2;

    private ArenaCli() {
    }

    public static void main(String[] args) {
        dev.tokenarena.scoring.ScoringApp.useUsFormatLocale();
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(ArenaCli.class);
        // everything after the component's name belongs to the component, options included
        cli.getSubcommands().get("component").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable root = rootCause(ex);
            cmd.getErr().println("arena " + cmd.getCommandName() + ": " + oneLine(root));
            org.slf4j.LoggerFactory.getLogger(ArenaCli.class).error("command failed", ex);
            return ex instanceof BadInputException || root instanceof BadInputException
                    || root instanceof dev.tokenarena.schemas.catalog.CatalogException
                    || root instanceof org.apache.kafka.common.config.ConfigException
                    || root instanceof IllegalArgumentException ? EXIT_BAD_INPUT : 1;
        });
        return cli.execute(args);
    }

    static Throwable rootCause(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur
                && !(cur instanceof BadInputException) && !(cur instanceof dev.tokenarena.schemas.catalog.CatalogException)) {
            cur = cur.getCause();
        }
        return cur;
    }

    static String oneLine(Throwable t) {
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }

    /** Bad configuration or input given by the user. */
    static final class BadInputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message);
        }
    }
}
