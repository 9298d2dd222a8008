package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One regional probe agent (DESIGN section 4). Each round it takes its share of the catalogue (the
 * endpoints whose rendezvous owner among the region's live agents is this agent, see
 * {@link Membership}) and runs, per endpoint and one step after another: the timing scenarios
 * (every input length at every concurrency, closed loop: c requests in flight at once, one per
 * slot; and at every arrival.rates rate, open loop: Poisson arrivals), the canaries, and
 * every {@code needle.every.rounds} rounds the needle probes. Endpoints run in parallel, so a slow
 * one delays only itself; a step that would start after the round's interval is skipped and
 * logged, so rounds stay near their interval and never overlap.
 *
 * <p>Threads: rounds are scheduled on one thread, prompts are built and results assembled and
 * published on a small worker pool, and the Netty event loops only move bytes.
 */
public final class ProbeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeAgent.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ProbeAgentConfig config;
    private final Supplier<List<Endpoint>> catalogue;
    private final ResultSink sink;
    private final Clock wallClock;
    private final Ticker ticker;
    private final Function<String, String> env;
    private final StreamingHttpClient client;
    private final PromptBuilder prompts = new PromptBuilder(Tokenizer.O200K);
    private final ResultAssembler assembler = new ResultAssembler(Tokenizer.O200K);
    private final ThrottledLog warnings;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final AtomicLong nextRound = new AtomicLong();
    private final AtomicBoolean roundRunning = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong sinkErrors = new AtomicLong();
    private final ProbeMetrics metrics;
    private final Function<String, PriceQuote> prices;
    private final CostGuard costGuard;
    private final Membership membership;
    private final Rendezvous rendezvous = new Rendezvous(Rendezvous.HASH);
    private final OpenLoop openLoop;
    private final AtomicLong openLoopDropped = new AtomicLong();

    /** A finished round: how many endpoints it covered, results published, steps skipped for time. */
    public record RoundReport(long round, int endpoints, int results, int skippedSteps) {
    }

    public ProbeAgent(ProbeAgentConfig config, Supplier<List<Endpoint>> catalogue, ResultSink sink,
                      Clock wallClock, Ticker ticker, Function<String, String> env) {
        this(config, catalogue, sink, wallClock, ticker, env, new ProbeMetrics(), id -> null);
    }

    /** An agent alone in its region: it probes every endpoint of the catalogue. */
    public ProbeAgent(ProbeAgentConfig config, Supplier<List<Endpoint>> catalogue, ResultSink sink,
                      Clock wallClock, Ticker ticker, Function<String, String> env, ProbeMetrics metrics,
                      Function<String, PriceQuote> prices) {
        this(config, catalogue, sink, wallClock, ticker, env, metrics, prices, Membership.solo(config.agentId()));
    }

    /**
     * @param metrics where request outcomes, in-flight streams and budget use are counted
     * @param prices  an endpoint's price by endpoint_id (the catalogue's), or null when unknown:
     *                the dollar budget then counts nothing for it
     * @param membership who shares the region, asked at the start of every round; the caller
     *                   owns it and closes it after the agent (so the leaving tombstone goes out
     *                   once this agent has stopped probing)
     */
    public ProbeAgent(ProbeAgentConfig config, Supplier<List<Endpoint>> catalogue, ResultSink sink,
                      Clock wallClock, Ticker ticker, Function<String, String> env, ProbeMetrics metrics,
                      Function<String, PriceQuote> prices, Membership membership) {
        this.metrics = metrics;
        this.membership = membership;
        this.prices = prices;
        this.costGuard = CostGuard.from(config);
        metrics.register("arena_probe_budget_used_tokens", "Tokens used today (UTC) per endpoint.", "gauge", () -> {
            Map<String, Number> out = new TreeMap<>();
            costGuard.usedToday(wallClock.millis()).forEach((id, c) -> out.put(ProbeMetrics.labels("endpoint", id), c.tokens()));
            return out;
        });
        metrics.register("arena_probe_budget_used_usd", "US dollars used today (UTC) per endpoint.", "gauge", () -> {
            Map<String, Number> out = new TreeMap<>();
            costGuard.usedToday(wallClock.millis()).forEach((id, c) -> out.put(ProbeMetrics.labels("endpoint", id), c.usd()));
            return out;
        });
        this.config = config;
        this.catalogue = catalogue;
        this.sink = sink;
        this.wallClock = wallClock;
        this.ticker = ticker;
        this.env = env;
        this.warnings = new ThrottledLog(LOG, ticker, LOG_INTERVAL_NANOS);
        this.client = new StreamingHttpClient(config.ioThreads(), ticker, config.limits());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("probe-rounds-" + config.agentId()));
        this.workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemon("probe-worker-" + config.agentId()));
        this.openLoop = new OpenLoop(ticker, OpenLoop.Timer.of(scheduler));
        metrics.gauge("arena_probe_openloop_dropped_total",
                "Open-loop arrivals not sent because arrival.max.in.flight requests were in flight.", openLoopDropped::get);
    }

    /** This round's share: the endpoints whose rendezvous owner among the live agents is this agent. */
    List<Endpoint> share(List<Endpoint> all) {
        Set<String> live = membership.liveAgents();
        return all.stream().filter(e -> config.agentId().equals(rendezvous.owner(e.getEndpointId(), live))).toList();
    }

    /** Starts probing: a round now, then one every round.interval.ms (with jitter) after the previous start. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            LOG.info("probe agent {} in region {} starting: live agents {}, round every {} ms",
                    config.agentId(), config.region(), membership.liveAgents(), config.roundIntervalMs());
            logSchedule();
            scheduler.execute(this::tick);
        }
    }

    /** Logs each endpoint's cost schedule and daily estimate, so an operator sees the bill up front. */
    void logSchedule() {
        List<Endpoint> mine;
        try {
            mine = share(catalogue.get());
        } catch (RuntimeException e) {
            return;
        }
        LOG.info("probe agent {} cost guard: {}", config.agentId(), costGuard.limitsText());
        for (Endpoint e : mine) {
            LOG.info("schedule {}", schedule(e).describe());
        }
    }

    /** The cost schedule of an endpoint: how often its expensive steps run, and what a day costs. */
    CostGuard.Plan schedule(Endpoint endpoint) {
        return costGuard.plan(endpoint.getEndpointId(), plan(endpoint, 0), prices.apply(endpoint.getEndpointId()));
    }

    private void tick() {
        if (closed) {
            return;
        }
        long begin = ticker.nanos();
        runRound().whenComplete((report, error) -> {
            if (error != null) {
                warnings.warn("round", "probe round failed: " + ExchangeHandler.rootMessage(error));
            } else {
                LOG.info("round {} done: {} endpoints, {} results, {} steps skipped",
                        report.round(), report.endpoints(), report.results(), report.skippedSteps());
            }
            if (!closed) {
                double jitter = config.roundJitterFraction() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
                long intervalNanos = (long) (config.roundIntervalMs() * 1_000_000L * (1 + jitter));
                long delay = Math.max(0, intervalNanos - (ticker.nanos() - begin));
                try {
                    scheduler.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closed meanwhile
                }
            }
        });
    }

    /**
     * Runs one round over this agent's share of the catalogue and completes when every request
     * has ended and its result was handed to the sink. Fails at once if a round is still running.
     */
    public CompletableFuture<RoundReport> runRound() {
        if (!roundRunning.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new IllegalStateException("a probe round is still running"));
        }
        long round = nextRound.getAndIncrement();
        long deadline = ticker.nanos() + config.roundIntervalMs() * 1_000_000L;
        AtomicInteger results = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        List<Endpoint> mine;
        try {
            mine = share(catalogue.get());
        } catch (RuntimeException e) {
            roundRunning.set(false);
            return CompletableFuture.failedFuture(e);
        }
        List<CompletableFuture<Void>> perEndpoint = new ArrayList<>();
        for (Endpoint endpoint : mine) {
            perEndpoint.add(runEndpoint(endpoint, round, deadline, results, skipped));
        }
        return CompletableFuture.allOf(perEndpoint.toArray(CompletableFuture[]::new))
                .handle((v, e) -> {
                    roundRunning.set(false);
                    return new RoundReport(round, mine.size(), results.get(), skipped.get());
                });
    }

    private CompletableFuture<Void> runEndpoint(Endpoint endpoint, long round, long deadline,
                                                AtomicInteger results, AtomicInteger skipped) {
        String keyEnv = endpoint.getApiKeyEnv();
        String apiKey = null;
        if (keyEnv != null && !keyEnv.isBlank()) {
            apiKey = env.apply(keyEnv);
            if (apiKey == null || apiKey.isBlank()) {
                warnings.warn("key:" + endpoint.getEndpointId(), "endpoint " + endpoint.getEndpointId()
                        + ": environment variable " + keyEnv + " is not set; endpoint not probed");
                return CompletableFuture.completedFuture(null);
            }
        }
        PriceQuote price = prices.apply(endpoint.getEndpointId());
        CostGuard.Plan schedule = costGuard.plan(endpoint.getEndpointId(), plan(endpoint, 0), price);
        List<Step> steps = plan(endpoint, round).stream()
                .filter(s -> !costGuard.expensive(s) || schedule.runsExpensive(round)).toList();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Step step : steps) {
            String key = apiKey;
            chain = chain.thenCompose(v -> {
                if (!costGuard.allows(endpoint.getEndpointId(), costGuard.cost(step, price), wallClock.millis())) {
                    skipped.incrementAndGet();
                    warnings.warn("budget:" + endpoint.getEndpointId(), "endpoint " + endpoint.getEndpointId()
                            + ": daily budget reached (" + costGuard.limitsText() + "); skipped " + step.scenario());
                    return CompletableFuture.completedFuture(null);
                }
                if (closed || ticker.nanos() - deadline > 0) {
                    skipped.incrementAndGet();
                    warnings.warn("skip:" + endpoint.getEndpointId(), "endpoint " + endpoint.getEndpointId()
                            + ": round " + round + " ran past round.interval.ms=" + config.roundIntervalMs()
                            + "; skipped " + step.scenario());
                    return CompletableFuture.completedFuture(null);
                }
                return runStep(endpoint, key, round, step).thenAccept(results::addAndGet);
            });
        }
        return chain;
    }

    /**
     * One scenario of one endpoint. Closed loop ({@code ratePerSecond == 0}): {@code slots} identical
     * requests started together. Open loop: Poisson arrivals at {@code ratePerSecond} for
     * arrival.duration.ms; {@code slots} is then the expected number of requests, for the budget.
     */
    record Step(String scenario, String kind, int inputTokens, int slots, Double temperature,
                int canaryIndex, boolean needle, double ratePerSecond) {

        Step(String scenario, String kind, int inputTokens, int slots, Double temperature, int canaryIndex, boolean needle) {
            this(scenario, kind, inputTokens, slots, temperature, canaryIndex, needle, 0);
        }

        boolean openLoop() {
            return ratePerSecond > 0;
        }
    }

    /**
     * The round's steps in the order they run. Needle probes (every needle.every.rounds rounds)
     * and canaries go first: they are few and each must complete to mean anything, while a slow
     * endpoint that runs out of round time loses only some timing samples, which the next round
     * replaces.
     */
    List<Step> plan(Endpoint endpoint, long round) {
        int cap = inputCap(endpoint);
        List<Step> steps = new ArrayList<>();
        if (round % config.needleEveryRounds() == 0) {
            TreeSet<Integer> lengths = new TreeSet<>();
            for (int length : config.needleLengths()) {
                lengths.add(Math.min(length, cap));
            }
            for (int length : lengths) {
                steps.add(new Step("needle-" + length, ProbeRequest.NEEDLE, length, 1, 0.0, -1, true));
            }
        }
        for (int i = 0; i < config.canaryCount(); i++) {
            steps.add(new Step(CanaryPrompts.id(i), ProbeRequest.CANARY, 0, 1, 0.0, i, false));
        }
        TreeSet<Integer> inputs = new TreeSet<>();
        for (int target : config.inputTokens()) {
            inputs.add(Math.min(target, cap));
        }
        for (int input : inputs) {
            for (int c : config.concurrency()) {
                steps.add(new Step("timing-in" + label(input) + "-c" + c, ProbeRequest.TIMING, input, c, null, -1, false));
            }
            for (double rate : config.arrivalRates()) {
                int expected = (int) Math.ceil(rate * config.arrivalDurationMs() / 1000.0);
                steps.add(new Step("timing-in" + label(input) + "-r" + rateLabel(rate), ProbeRequest.TIMING, input,
                        expected, null, -1, false, rate));
            }
        }
        return steps;
    }

    /** Longest input that leaves room for max_tokens and the headroom in the endpoint's context. */
    int inputCap(Endpoint endpoint) {
        long room = (long) endpoint.getContextTokens() - config.maxTokens();
        return (int) Math.max(0, Math.floor(room * (1 - config.contextHeadroomFraction())));
    }

    static String label(int tokens) {
        return tokens % 1000 == 0 ? tokens / 1000 + "k" : Integer.toString(tokens);
    }

    /** 2 -> "2", 0.5 -> "0.5", 1.25 -> "1.25": requests per second in a scenario label. */
    static String rateLabel(double rate) {
        return java.math.BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
    }

    private CompletableFuture<Integer> runStep(Endpoint endpoint, String apiKey, long round, Step step) {
        if (step.openLoop()) {
            return runOpenLoop(endpoint, apiKey, round, step);
        }
        return CompletableFuture.supplyAsync(() -> {
            List<Planned> planned = new ArrayList<>();
            for (int slot = 0; slot < step.slots(); slot++) {
                planned.add(prepare(endpoint, apiKey, round, step));
            }
            return planned;
        }, workers).thenCompose(planned -> {
            // All prompts are built first so the c requests really are in flight together.
            List<CompletableFuture<Boolean>> inFlight = new ArrayList<>();
            for (Planned p : planned) {
                inFlight.add(send(p, apiKey));
            }
            return CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .thenApply(v -> (int) inFlight.stream().filter(CompletableFuture::join).count());
        }).exceptionally(e -> {
            warnings.warn("step:" + endpoint.getEndpointId(), "endpoint " + endpoint.getEndpointId() + ": "
                    + step.scenario() + " could not run: " + Errors.scrub(ExchangeHandler.rootMessage(e), apiKey));
            return 0;
        });
    }

    /**
     * An open-loop step: Poisson arrivals at the step's rate for arrival.duration.ms. Each arrival
     * takes an in-flight slot when it arrives and builds its prompt on the worker pool (a 100K
     * prompt for every arrival built up front would hold hundreds of MB); the result's
     * {@code concurrency} is the number in flight when it arrived, itself included.
     */
    private CompletableFuture<Integer> runOpenLoop(Endpoint endpoint, String apiKey, long round, Step step) {
        long window = config.arrivalDurationMs() * 1_000_000L;
        long seed = arrivalSeed(config.arrivalSeed(), endpoint.getEndpointId(), round);
        long[] offsets = PoissonArrivals.offsetsNanos(seed, step.ratePerSecond(), window);
        AtomicInteger ok = new AtomicInteger();
        return openLoop.run(offsets, window, step.ratePerSecond(), config.arrivalMaxInFlight(), (i, inFlight) ->
                CompletableFuture.supplyAsync(() -> prepare(endpoint, apiKey, round, step, inFlight), workers)
                        .thenCompose(p -> send(p, apiKey))
                        .thenAccept(published -> {
                            if (published) {
                                ok.incrementAndGet();
                            }
                        })
        ).handle((report, e) -> {
            if (e != null) {
                warnings.warn("step:" + endpoint.getEndpointId(), "endpoint " + endpoint.getEndpointId() + ": "
                        + step.scenario() + " could not run: " + Errors.scrub(ExchangeHandler.rootMessage(e), apiKey));
                return ok.get();
            }
            openLoopDropped.addAndGet(report.dropped());
            String text = String.format(Locale.ROOT, "endpoint %s %s: %d arrivals, %d sent, %d dropped (%s=%d), "
                            + "peak %d in flight, realized %.3f req/s of %.3f target", endpoint.getEndpointId(),
                    step.scenario(), report.arrivals(), report.sent(), report.dropped(), ProbeAgentConfig.ARRIVAL_MAX_IN_FLIGHT,
                    config.arrivalMaxInFlight(), report.peakInFlight(), report.realizedRps(), report.targetRps());
            if (report.dropped() > 0) {
                warnings.warn("dropped:" + endpoint.getEndpointId(), text);
            } else {
                LOG.info(text);
            }
            return ok.get();
        });
    }

    /** The seed of an open-loop schedule: the configured one mixed with endpoint and round, so schedules differ but repeat. */
    static long arrivalSeed(long configured, String endpointId, long round) {
        return configured ^ (31L * endpointId.hashCode() + round) * 0x9E3779B97F4A7C15L;
    }

    /** A request ready to send. */
    private record Planned(ProbeRequest request, HttpCall call, StreamParser parser) {
    }

    private Planned prepare(Endpoint endpoint, String apiKey, long round, Step step) {
        return prepare(endpoint, apiKey, round, step, step.slots());
    }

    private Planned prepare(Endpoint endpoint, String apiKey, long round, Step step, int concurrency) {
        String nonce = "[probe " + UUID.randomUUID() + "]\n";
        PromptBuilder.Prompt prompt;
        String canaryId = null;
        String code = null;
        switch (step.kind()) {
            case ProbeRequest.CANARY -> {
                canaryId = CanaryPrompts.id(step.canaryIndex());
                String text = nonce + CanaryPrompts.PROMPTS.get(step.canaryIndex());
                prompt = new PromptBuilder.Prompt(text, Tokenizer.O200K.count(text));
            }
            case ProbeRequest.NEEDLE -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                code = String.format(Locale.ROOT, "%04d-%04d", random.nextInt(10_000), random.nextInt(10_000));
                prompt = prompts.build(nonce + "Read the following text carefully.\n",
                        "\n\nWhat is the secret code? Answer with the code only.",
                        " The secret code is " + code + ".", random.nextDouble(), step.inputTokens());
            }
            default -> prompt = prompts.build(nonce + "The following words are filler; ignore them.\n",
                    "\n\nNow write a long story about a lighthouse keeper and do not stop early.",
                    null, 0, step.inputTokens());
        }
        ProbeRequest request = new ProbeRequest(endpoint.getEndpointId(), config.region(), config.agentId(), round,
                step.scenario(), step.kind(), step.kind().equals(ProbeRequest.CANARY) ? prompt.tokens() : step.inputTokens(),
                concurrency, config.maxTokens(), prompt.tokens(), canaryId, code,
                step.needle() ? step.inputTokens() : null);
        HttpCall call = Protocols.call(endpoint, apiKey, prompt.text(), config.maxTokens(), step.temperature());
        return new Planned(request, call, StreamParser.forProtocol(endpoint.getProtocol()));
    }

    private CompletableFuture<Boolean> send(Planned planned, String apiKey) {
        long startedAtMs = wallClock.millis();
        metrics.streamOpened();
        return client.post(planned.call(), planned.parser())
                .whenComplete((x, e) -> metrics.streamClosed())
                .thenApplyAsync(exchange -> {
                    if (closed) {
                        // Ended by our own shutdown: not a measurement of the endpoint.
                        return false;
                    }
                    ProbeResult result = assembler.assemble(planned.request(), exchange, startedAtMs, apiKey);
                    metrics.request(result.getEndpointId(), result.getOutcome());
                    book(result);
                    if (result.getError() != null) {
                        warnings.warn("outcome:" + result.getEndpointId() + ":" + result.getOutcome(),
                                "endpoint " + result.getEndpointId() + " " + result.getScenario() + ": "
                                        + result.getOutcome() + ": " + result.getError());
                    }
                    try {
                        sink.accept(result);
                        published.incrementAndGet();
                        return true;
                    } catch (RuntimeException e) {
                        sinkErrors.incrementAndGet();
                        warnings.warn("sink", "result sink failed: " + Errors.scrub(ExchangeHandler.rootMessage(e), apiKey));
                        return false;
                    }
                }, workers);
    }

    /** Charges a finished request to its endpoint's daily budget: the prompt sent and what came back. */
    private void book(ProbeResult r) {
        long input = r.getInputTokensLocal();
        long output = r.getOutputTokensServer() != null ? r.getOutputTokensServer() : r.getOutputTokens();
        PriceQuote price = prices.apply(r.getEndpointId());
        double usd = price == null ? 0
                : (input * price.getInputUsdPerMtok() + output * price.getOutputUsdPerMtok()) / 1e6;
        costGuard.record(r.getEndpointId(), input + output, usd, wallClock.millis());
    }

    /** Results handed to the sink since start. */
    public long published() {
        return published.get();
    }

    /** Open-loop arrivals dropped because arrival.max.in.flight requests were in flight. */
    public long openLoopDropped() {
        return openLoopDropped.get();
    }

    /** Results the sink refused by throwing. */
    public long sinkErrors() {
        return sinkErrors.get();
    }

    /** Stops scheduling, drops results of requests cut by the shutdown, and releases threads and sockets. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        client.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
