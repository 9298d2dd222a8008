package dev.tokenarena.standalone;

import dev.tokenarena.eval.GradeCommand;
import picocli.CommandLine.Command;

/** {@code arena eval ...}: offline eval tools. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Offline eval tools.",
        subcommands = {GradeCommand.class})
final class EvalCommand {
}
