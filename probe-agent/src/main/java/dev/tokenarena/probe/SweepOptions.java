package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The options of a sweep, shared by {@code Sweep.main} and the {@code arena sweep} command (as a
 * picocli mixin), and the run itself. Bad options end with one line naming the option.
 */
public final class SweepOptions {

    @Option(names = "--url", required = true, description = "Base URL of the API, e.g. http://gpu-box:8000/v1.")
    String url;

    @Option(names = "--model", required = true, description = "Model name sent in requests.")
    String model;

    @Option(names = "--protocol", defaultValue = "openai-chat",
            description = "openai-chat | openai-completions | anthropic-messages. Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--api-key-env", description = "Environment variable holding the API key (none by default).")
    String apiKeyEnv;

    @Option(names = "--input-tokens", defaultValue = "1000", description = "Prompt length, tokens (o200k). Default: ${DEFAULT-VALUE}.")
    int inputTokens;

    @Option(names = "--max-tokens", defaultValue = "256", description = "max_tokens of every request. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--concurrency", split = ",", description = "Closed-loop concurrency steps, ascending (default: 1,2,4,... up to --max-concurrency).")
    List<Integer> concurrency;

    @Option(names = "--max-concurrency", defaultValue = "256", description = "Largest default concurrency step. Default: ${DEFAULT-VALUE}.")
    int maxConcurrency;

    @Option(names = "--rates", split = ",", description = "Open-loop steps instead: Poisson arrival rates, requests/s, ascending.")
    List<Double> rates;

    @Option(names = "--step-seconds", defaultValue = "30", description = "How long each step sends requests, s. Default: ${DEFAULT-VALUE}.")
    double stepSeconds;

    @Option(names = "--min-gain", defaultValue = "0.10",
            description = "Saturated when throughput grows by less than this fraction over the previous step. Default: ${DEFAULT-VALUE}.")
    double minGain;

    @Option(names = "--max-error-rate", defaultValue = "0.05",
            description = "Saturated when more than this fraction of a step's requests fail or are dropped. Default: ${DEFAULT-VALUE}.")
    double maxErrorRate;

    @Option(names = "--gpu-hour-usd", description = "Price of one GPU-hour, USD: enables $/1M output tokens.")
    Double gpuHourUsd;

    @Option(names = "--gpus", defaultValue = "1", description = "GPUs serving the endpoint. Default: ${DEFAULT-VALUE}.")
    int gpus;

    @Option(names = "--slo-ttft-ms", description = "TTFT SLO: p99 at most this, ms.")
    Double sloTtftMs;

    @Option(names = "--slo-tpot-ms", description = "TPOT SLO: p99 at most this, ms.")
    Double sloTpotMs;

    @Option(names = "--max-in-flight", defaultValue = "1000",
            description = "Open loop: most requests in flight; further arrivals are dropped and counted. Default: ${DEFAULT-VALUE}.")
    int maxInFlight;

    @Option(names = "--seed", defaultValue = "1", description = "Open loop: seed of the arrival times. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--request-timeout-ms", defaultValue = "180000", description = "Longest time for one request, ms. Default: ${DEFAULT-VALUE}.")
    long requestTimeoutMs;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the steps as CSV to FILE.")
    Path csv;

    /** The checked settings; IllegalArgumentException names the bad option. */
    SweepSettings settings() {
        if (concurrency != null && rates != null) {
            throw new IllegalArgumentException("--concurrency and --rates: give one or the other");
        }
        if (!Set.of("openai-chat", "openai-completions", "anthropic-messages").contains(protocol)) {
            throw new IllegalArgumentException("--protocol '" + protocol + "': use openai-chat, openai-completions or anthropic-messages");
        }
        if (inputTokens < ProbeAgentConfig.MIN_PROMPT_TOKENS) {
            throw new IllegalArgumentException("--input-tokens must be at least " + ProbeAgentConfig.MIN_PROMPT_TOKENS
                    + " (the nonce and instructions take about 60), got " + inputTokens);
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException("--max-tokens must be at least 2 (TPOT needs two tokens), got " + maxTokens);
        }
        if (!(stepSeconds > 0) || stepSeconds > 86_400) {
            throw new IllegalArgumentException("--step-seconds must be above 0 and at most 86400, got " + stepSeconds);
        }
        SweepSettings.Mode mode = rates != null ? SweepSettings.Mode.RATE : SweepSettings.Mode.CONCURRENCY;
        List<Double> loads = new ArrayList<>();
        if (rates != null) {
            loads.addAll(rates);
        } else if (concurrency != null) {
            concurrency.forEach(c -> loads.add((double) c));
        } else {
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("--max-concurrency must be at least 1, got " + maxConcurrency);
            }
            for (int c = 1; c <= maxConcurrency; c *= 2) {
                loads.add((double) c);
            }
        }
        return new SweepSettings(mode, loads, (long) (stepSeconds * 1e9), minGain, maxErrorRate, gpuHourUsd, gpus,
                sloTtftMs, sloTpotMs, maxInFlight, seed);
    }

    Endpoint endpoint() {
        return Endpoint.newBuilder().setEndpointId("sweep").setProvider("self-hosted").setModel(model).setSku("sweep")
                .setPrecision("unknown").setDecoding("default").setRegion("local").setGridZone("unknown")
                .setProtocol(protocol).setBaseUrl(url).setModelName(model).setApiKeyEnv(apiKeyEnv).setReference(false)
                .setContextTokens(Integer.MAX_VALUE).setLogprobs(false).setUpdatedAtMs(0).build();
    }

    /**
     * Runs the sweep and prints the report (a table, or JSON with {@code --json}); progress goes to
     * {@code err}. Returns the exit code: 0 done, 2 bad options.
     */
    public int execute(PrintStream out, PrintStream err, Function<String, String> env) throws Exception {
        SweepSettings settings = settings();
        String apiKey = null;
        if (apiKeyEnv != null) {
            apiKey = env.apply(apiKeyEnv);
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalArgumentException("--api-key-env " + apiKeyEnv + ": the variable is not set");
            }
        }
        Limits d = Limits.defaults();
        Limits limits = new Limits(d.connectTimeoutMs(), Math.min(d.firstByteTimeoutMs(), requestTimeoutMs), requestTimeoutMs,
                d.maxLineBytes(), d.maxEventBytes(), d.maxResponseBytes());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-arrivals");
            t.setDaemon(true);
            return t;
        });
        try (HttpSweepLoad load = new HttpSweepLoad(endpoint(), apiKey, inputTokens, maxTokens, limits, Clock.systemUTC(),
                Ticker.SYSTEM)) {
            // One request first, not counted: class loading, the tokenizer and the server's own first
            // request would otherwise make step 0 look slower and the next step's gain bigger.
            SweepSample warmUp = load.send(1).get();
            if (!warmUp.ok()) {
                err.println("sweep: the warm-up request did not end OK; the steps will show the errors");
            }
            Sweep sweep = new Sweep(settings, load, Ticker.SYSTEM, OpenLoop.Timer.of(timer), i -> err.printf(Locale.ROOT,
                    "sweep step %d: %s %s for %s s%n", i, settings.mode() == SweepSettings.Mode.CONCURRENCY
                            ? "concurrency" : "rate (requests/s)", SweepOutput.format(settings.loads().get(i)),
                    SweepOutput.format(settings.stepNanos() / 1e9)));
            Sweep.Report report = sweep.run().get();
            out.print(json ? SweepOutput.json(report, url, model, inputTokens, maxTokens) + "\n" : SweepOutput.table(report));
            if (csv != null) {
                try {
                    Files.writeString(csv, SweepOutput.csv(report));
                } catch (IOException e) {
                    throw new IllegalArgumentException("--csv " + csv + ": cannot write: " + e.getMessage());
                }
            }
            return 0;
        } finally {
            timer.shutdownNow();
        }
    }

    /** The stand-alone command of {@link Sweep#main}. */
    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = "Step concurrency (or arrival rate) against a self-hosted endpoint until it saturates.")
    static final class Main implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        SweepOptions options = new SweepOptions();

        @Override
        public Integer call() throws Exception {
            try {
                return options.execute(System.out, System.err, System::getenv);
            } catch (IllegalArgumentException e) {
                System.err.println("sweep: " + e.getMessage());
                return ProbeAgentMain.BAD_CONFIG;
            }
        }
    }
}
