package dev.tokenarena.standalone;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code arena component NAME [args]}: runs one service alone against an external Kafka and
 * schema registry, exactly as its own main class does (one deployable, many roles). Names:
 * probe, eval-worker, energy-feed, scoring, registry, simulator.
 */
@Command(name = "component", mixinStandardHelpOptions = true,
        description = {"Run one component alone: probe | eval-worker | energy-feed | scoring | registry | simulator.",
            "Arguments after the name go to the component, e.g. arena component probe --config probe-us-east.properties"})
final class ComponentCommand implements Callable<Integer> {

    static final Map<String, String> MAINS = Map.of(
            "probe", "dev.tokenarena.probe.ProbeAgentMain",
            "eval-worker", "dev.tokenarena.eval.EvalWorkerMain",
            "energy-feed", "dev.tokenarena.energy.EnergyFeedMain",
            "scoring", "dev.tokenarena.scoring.ScoringMain",
            "registry", "dev.tokenarena.registry.RegistryMain",
            "simulator", "dev.tokenarena.simulator.SimulatorMain");

    @Parameters(index = "0", description = "Component name.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", description = "Arguments for the component.")
    List<String> args = List.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String main = MAINS.get(name);
        if (main == null) {
            throw new ArenaCli.BadInputException("unknown component '" + name + "'; valid: "
                    + MAINS.keySet().stream().sorted().toList());
        }
        // The component's main owns the process from here (it exits with its own code).
        Class.forName(main).getMethod("main", String[].class).invoke(null, (Object) args.toArray(String[]::new));
        return 0;
    }
}
