package dev.tokenarena.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code demo} and {@code run}. */
final class StackCommandOptions {

    @Option(names = "--duration", defaultValue = "2m", converter = DurationConverter.class,
            description = "How long to run (e.g. 90s, 2m, 1h). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--out", defaultValue = "arena-out",
            description = "Directory for the output contract. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--work-dir", description = "Directory for broker and state data. Default: <out>/.work.")
    Path workDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port. Default: ${DEFAULT-VALUE}.")
    int registryPort;

    @Option(names = "--api-port", defaultValue = "8080", description = "Status API port. Default: ${DEFAULT-VALUE}.")
    int apiPort;

    @Option(names = "--time-factor",
            description = "Event time runs this many times faster than real time. Default: 60 for demo, 1 for run.")
    Double timeFactor;

    @Option(names = "--regions", split = ",", defaultValue = "us-east,eu-central,ap-southeast",
            description = "Probe regions, one local agent each (the first: --first-region-agents). Default: ${DEFAULT-VALUE}.")
    List<String> regions;

    @Option(names = "--first-region-agents",
            description = "Probe agents in the first region; they share its endpoints by heartbeats and "
                    + "rendezvous hashing. Default: 2 for demo, 1 for run.")
    Integer firstRegionAgents;

    @Option(names = "--probe-interval", converter = DurationConverter.class,
            description = "Real time between probe rounds. Default: 5s for demo, 5m for run.")
    Duration probeInterval;

    @Option(names = "--eval-interval", converter = DurationConverter.class,
            description = "Real time between eval rounds. Default: 5s for demo, 30m for run.")
    Duration evalInterval;

    /** Most agents of one region a single machine runs; more only add load here, not coverage. */
    static final int MAX_REGION_AGENTS = 8;

    /** Defaults that differ between the compressed demo and a real run. */
    record Pace(double timeFactor, Duration probeInterval, Duration evalInterval, int firstRegionAgents) {

        /** One agent per region. */
        Pace(double timeFactor, Duration probeInterval, Duration evalInterval) {
            this(timeFactor, probeInterval, evalInterval, 1);
        }
    }

    @Option(names = "--history-db", description = "Also write composites, drift alerts and probe results to this "
            + "PostgreSQL database (jdbc:postgresql://host:5432/db); the password, if any, from $"
            + OutputSinks.PG_PASSWORD_ENV + ".")
    String historyDb;

    @Option(names = "--history-db-user", description = "Database user for --history-db.")
    String historyDbUser;

    @Option(names = "--alert-webhook", defaultValue = "${env:ARENA_ALERT_WEBHOOK}", description = "Also POST every drift "
            + "alert to this URL (default: $ARENA_ALERT_WEBHOOK; prefer it for a Slack URL, which is itself a secret); "
            + "signed when $" + OutputSinks.WEBHOOK_SECRET_ENV + " is set.")
    String alertWebhook;

    @Option(names = "--alert-webhook-format", defaultValue = "json", description = "json or slack. Default: ${DEFAULT-VALUE}.")
    String alertWebhookFormat = "json";

    @Option(names = "--no-tables", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Print the leaderboards and alerts at the end. Default: on.")
    boolean printTables = true;

    private OutputSinks sinks() {
        if (historyDb != null && !historyDb.startsWith("jdbc:postgresql:")) {
            throw new ArenaCli.BadInputException("--history-db must be a jdbc:postgresql: URL, e.g. "
                    + "jdbc:postgresql://localhost:5432/arena");
        }
        String hook = alertWebhook == null || alertWebhook.isBlank() ? null : alertWebhook.trim();
        if (hook != null && !(hook.startsWith("http://") || hook.startsWith("https://"))) {
            throw new ArenaCli.BadInputException("--alert-webhook must be an http or https URL");
        }
        if (!alertWebhookFormat.equals("json") && !alertWebhookFormat.equals("slack")) {
            throw new ArenaCli.BadInputException("--alert-webhook-format must be json or slack, got " + alertWebhookFormat);
        }
        return new OutputSinks(historyDb, historyDbUser, hook, alertWebhookFormat);
    }

    StackOptions toOptions(Path catalog, Pace pace, List<Integer> inputTokens, List<Integer> concurrency,
                           List<Integer> needles) {
        double factor = timeFactor != null ? timeFactor : pace.timeFactor();
        Duration probe = probeInterval != null ? probeInterval : pace.probeInterval();
        Duration eval = evalInterval != null ? evalInterval : pace.evalInterval();
        if (duration.isNegative() || duration.isZero()) {
            throw new ArenaCli.BadInputException("--duration must be positive");
        }
        if (factor < 1) {
            throw new ArenaCli.BadInputException("--time-factor must be >= 1, got " + factor);
        }
        if (regions.isEmpty()) {
            throw new ArenaCli.BadInputException("--regions needs at least one region");
        }
        int agents = firstRegionAgents != null ? firstRegionAgents : pace.firstRegionAgents();
        if (agents < 1 || agents > MAX_REGION_AGENTS) {
            throw new ArenaCli.BadInputException("--first-region-agents must be between 1 and " + MAX_REGION_AGENTS
                    + ", got " + agents);
        }
        Path work = workDir != null ? workDir : out.resolve(".work");
        return new StackOptions(catalog, out, work, duration, kafkaPort, registryPort, apiPort, factor,
                List.copyOf(regions), agents, probe, eval, inputTokens, concurrency, needles, 4, 10, 16,
                0.35, 0.70, printTables, sinks());
    }
}
