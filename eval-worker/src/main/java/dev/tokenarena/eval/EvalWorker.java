package dev.tokenarena.eval;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.TokenLogprob;
import dev.tokenarena.schemas.time.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends quality-suite items and fingerprint prompts to every endpoint of the catalogue, round
 * after round, and hands graded {@link EvalItemResult}s and {@link FingerprintSample}s to a sink.
 *
 * <p>Each round takes, per endpoint, the next {@code eval.items.per.round} suite items and the
 * next {@code fingerprint.prompts.per.round} prompts (cycling), so consecutive rounds cover the
 * suite; a pass over the suite is one {@code run_id}. Rounds never overlap (one lock); the
 * requests of a round run in parallel, bounded by {@code eval.max.in.flight}. Record ids are
 * derived from (endpoint, run, item), so an item re-sent after a crash carries the same
 * {@code result_id} and consumers can de-duplicate.
 *
 * <p>Event time is the injected wall clock (the demo passes a compressed one); latency is measured
 * with the monotonic ticker.
 */
public final class EvalWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EvalWorker.class);

    static final String PROTOCOL = "openai-chat";
    static final int MAX_COMPLETION_CHARS = 4096;
    static final String PROMPT_SUFFIX =
            "\n\nSolve the problem step by step. On the last line write only the final answer as '#### <number>'.";

    private final EvalConfig config;
    private final Supplier<List<Endpoint>> catalogue;
    private final Function<String, PriceQuote> prices;
    private final EvalSink sink;
    private final Clock wallClock;
    private final Ticker ticker;
    private final ChatClient client;
    private final Gsm8kSuite suite;
    private final FingerprintPromptSet promptSet;
    private final Optional<PositionFile> positionFile;
    private final Map<String, EvalPositions> positions = new ConcurrentHashMap<>();
    private final Set<String> warnedProtocols = ConcurrentHashMap.newKeySet();
    private final Set<String> warnedUnpriced = ConcurrentHashMap.newKeySet();
    private final ReentrantLock roundLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong rounds = new AtomicLong();
    private final ExecutorService requests;
    private final ScheduledExecutorService scheduler;

    public EvalWorker(EvalConfig config, Supplier<List<Endpoint>> catalogue, Function<String, PriceQuote> prices,
                      EvalSink sink, Clock wallClock, Function<String, String> env) {
        this(config, catalogue, prices, sink, wallClock,
                new ChatClient(env, Duration.ofMillis(config.requestTimeoutMs())), Ticker.SYSTEM);
    }

    EvalWorker(EvalConfig config, Supplier<List<Endpoint>> catalogue, Function<String, PriceQuote> prices,
               EvalSink sink, Clock wallClock, ChatClient client, Ticker ticker) {
        this.config = Objects.requireNonNull(config, "config");
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.prices = Objects.requireNonNull(prices, "prices");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.client = Objects.requireNonNull(client, "client");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        // Loaded here so a bad suite, prompt set or position file fails at startup, not mid-run.
        this.suite = config.suiteFile().map(Gsm8kSuite::load).orElseGet(Gsm8kSuite::sample);
        this.promptSet = FingerprintPromptSet.load(config.promptSet()).firstPrompts(config.fingerprintPromptLimit());
        this.positionFile = config.stateDir().map(PositionFile::new);
        positionFile.ifPresent(f -> positions.putAll(f.read()));
        this.requests = Executors.newFixedThreadPool(config.maxInFlight(), daemon("eval-request"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("eval-rounds"));
    }

    /** Runs rounds every {@code eval.interval.ms} (delay after the end of the previous round) until closed. */
    public void start() {
        log.info("eval worker: suite {} ({} items), prompt set {} ({} prompts), a round every {} ms{}",
                suite.name(), suite.size(), promptSet.name(), promptSet.size(), config.intervalMs(),
                positionFile.map(f -> ", positions in " + f.path()).orElse(""));
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runRound();
            } catch (RuntimeException e) {
                // Degrade, never crash: a failed round is logged and the next one tries again.
                log.error("eval round failed: {}", e.toString());
            }
        }, 0, config.intervalMs(), TimeUnit.MILLISECONDS);
    }

    /** Runs one round now (blocking until it ends) and advances the positions. */
    public RoundSummary runRound() {
        roundLock.lock();
        try {
            return round();
        } finally {
            roundLock.unlock();
        }
    }

    /** A copy of the positions per endpoint id, to persist elsewhere. */
    public Map<String, EvalPositions> positions() {
        return Map.copyOf(positions);
    }

    /** Replaces the positions of the given endpoints, e.g. from the caller's own store. */
    public void restorePositions(Map<String, EvalPositions> restored) {
        roundLock.lock();
        try {
            positions.putAll(restored);
        } finally {
            roundLock.unlock();
        }
    }

    public Gsm8kSuite suite() {
        return suite;
    }

    public FingerprintPromptSet promptSet() {
        return promptSet;
    }

    private RoundSummary round() {
        long roundNo = rounds.incrementAndGet();
        long start = ticker.nanos();
        Stats stats = new Stats();
        List<Callable<Void>> tasks = new ArrayList<>();
        Map<String, EvalPositions> next = new HashMap<>();
        int endpoints = 0;
        for (Endpoint endpoint : catalogue.get()) {
            if (!PROTOCOL.equals(endpoint.getProtocol())) {
                if (warnedProtocols.add(endpoint.getEndpointId())) {
                    log.warn("endpoint {}: protocol {} is not supported by the eval worker yet (only {}); skipped",
                            endpoint.getEndpointId(), endpoint.getProtocol(), PROTOCOL);
                }
                continue;
            }
            endpoints++;
            EvalPositions at = positions.getOrDefault(endpoint.getEndpointId(), EvalPositions.START);
            // One price per endpoint per round: every item of the round is costed at the same quote.
            PriceQuote price = prices.apply(endpoint.getEndpointId());
            if (price != null) {
                warnedUnpriced.remove(endpoint.getEndpointId());
            } else if (warnedUnpriced.add(endpoint.getEndpointId())) {
                // Once per endpoint while it stays unpriced, not once per item (a self-hosted endpoint
                // is unpriced for the whole run); again only if a price came and went.
                log.info("endpoint {}: no token price known; its eval items are graded but unpriced "
                        + "(priced=false, cost_usd 0), so it gets accuracy but no measured $/correct from them",
                        endpoint.getEndpointId());
            }
            for (int i = 0; i < config.itemsPerRound(); i++) {
                long p = at.evalPosition() + i;
                SuiteItem item = suite.itemAt(p);
                String runId = suite.name() + ":" + endpoint.getEndpointId() + ":pass-" + (p / suite.size());
                tasks.add(() -> {
                    evalItem(endpoint, item, runId, price, stats);
                    return null;
                });
            }
            // Endpoints without logprobs get the prompts too: scoring compares their completions with
            // the reference's by a two-sample test instead of by top-k distributions.
            int prompts = config.fingerprintPromptsPerRound();
            for (int i = 0; i < prompts; i++) {
                long p = at.fingerprintPosition() + i;
                FingerprintPromptSet.Prompt prompt = promptSet.promptAt(p);
                String runId = promptSet.name() + ":" + endpoint.getEndpointId() + ":pass-" + (p / promptSet.size());
                tasks.add(() -> {
                    fingerprint(endpoint, prompt, runId, stats);
                    return null;
                });
            }
            next.put(endpoint.getEndpointId(), new EvalPositions(at.evalPosition() + config.itemsPerRound(),
                    at.fingerprintPosition() + prompts));
        }
        try {
            requests.invokeAll(tasks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.info("eval round {} interrupted; positions not advanced", roundNo);
            return stats.summary(roundNo, endpoints, millisSince(start));
        }
        if (closed.get()) {
            return stats.summary(roundNo, endpoints, millisSince(start));
        }
        positions.putAll(next);
        savePositions();
        RoundSummary summary = stats.summary(roundNo, endpoints, millisSince(start));
        logProgress(summary, stats);
        return summary;
    }

    private void evalItem(Endpoint endpoint, SuiteItem item, String runId, PriceQuote price, Stats stats) {
        String prompt = item.question() + PROMPT_SUFFIX;
        long startedAt = wallClock.millis();
        ChatResult r = client.complete(new ChatRequest(endpoint.getBaseUrl(), endpoint.getModelName(),
                endpoint.getApiKeyEnv(), prompt, config.maxTokens(), 0));
        if (closed.get()) {
            return; // interrupted by close(): a half-finished round publishes nothing more
        }
        stats.items.incrementAndGet();
        EvalItemResult.Builder b = EvalItemResult.newBuilder()
                .setResultId(recordId(endpoint.getEndpointId(), runId, item.itemId()))
                .setEndpointId(endpoint.getEndpointId()).setRunId(runId).setSuite(item.suite())
                .setItemId(item.itemId()).setStartedAtMs(startedAt).setOutcome(r.outcome().name())
                .setExpectedAnswer(item.expectedAnswer()).setLatencyMs(r.latencyMs()).setPriced(price != null);
        if (r.outcome() == Outcome.OK) {
            NumericGrader.Grade grade = NumericGrader.grade(r.content(), item.expectedAnswer());
            int in;
            int out;
            int reasoning;
            if (r.usage() != null) {
                in = r.usage().promptTokens();
                out = r.usage().completionTokens();
                reasoning = r.usage().reasoningTokens() > 0 ? r.usage().reasoningTokens()
                        : LocalTokens.count(r.reasoningContent());
            } else {
                in = LocalTokens.count(prompt);
                reasoning = LocalTokens.count(r.reasoningContent());
                out = LocalTokens.count(r.content()) + reasoning;
            }
            double cost = price == null ? 0.0 : cost(price, in, out);
            stats.ok.incrementAndGet();
            if (grade.correct()) {
                stats.correct.incrementAndGet();
            }
            stats.cost.add(cost);
            b.setCorrect(grade.correct()).setExtractedAnswer(grade.extracted()).setInputTokens(in)
                    .setOutputTokens(out).setReasoningTokens(reasoning).setCostUsd(cost).setError(null);
        } else {
            // Failed requests are not billed by providers and have nothing to grade.
            stats.noteFailure(endpoint.getEndpointId(), r);
            b.setCorrect(false).setExtractedAnswer(null).setInputTokens(0).setOutputTokens(0)
                    .setReasoningTokens(0).setCostUsd(0.0).setError(r.error());
        }
        send(() -> sink.accept(b.build()), stats, endpoint.getEndpointId());
    }

    private void fingerprint(Endpoint endpoint, FingerprintPromptSet.Prompt prompt, String runId, Stats stats) {
        long sampledAt = wallClock.millis();
        // 0 asks for no logprobs: some APIs refuse the parameter outright
        int topK = endpoint.getLogprobs() ? config.topK() : 0;
        ChatResult r = client.complete(new ChatRequest(endpoint.getBaseUrl(), endpoint.getModelName(),
                endpoint.getApiKeyEnv(), prompt.text(), config.fingerprintMaxTokens(), topK));
        if (closed.get()) {
            return;
        }
        stats.fingerprints.incrementAndGet();
        if (r.outcome() != Outcome.OK) {
            // No sample for a failed request: an empty completion would read as a drifted model.
            stats.noteFailure(endpoint.getEndpointId(), r);
            return;
        }
        List<FingerprintPosition> positions = new ArrayList<>(r.positions().size());
        for (ChatResult.Position p : r.positions()) {
            List<TokenLogprob> top = new ArrayList<>(p.top().size());
            for (ChatResult.Alternative a : p.top()) {
                top.add(new TokenLogprob(a.token(), a.logprob()));
            }
            positions.add(new FingerprintPosition(p.token(), p.logprob(), top));
        }
        String completion = r.content().length() > MAX_COMPLETION_CHARS
                ? r.content().substring(0, MAX_COMPLETION_CHARS) : r.content();
        FingerprintSample sample = FingerprintSample.newBuilder()
                .setSampleId(recordId(endpoint.getEndpointId(), runId, prompt.promptId()))
                .setEndpointId(endpoint.getEndpointId()).setModel(endpoint.getModel())
                .setPromptSet(promptSet.name()).setPromptId(prompt.promptId()).setRunId(runId)
                .setSampledAtMs(sampledAt).setTopK(topK).setLogprobsAvailable(!positions.isEmpty())
                .setCompletion(completion).setPositions(positions).build();
        stats.fingerprintsOk.incrementAndGet();
        send(() -> sink.accept(sample), stats, endpoint.getEndpointId());
    }

    /** Cost at list price: tokens times USD per 1M tokens. */
    static double cost(PriceQuote price, int inputTokens, int outputTokens) {
        return inputTokens * price.getInputUsdPerMtok() / 1e6 + outputTokens * price.getOutputUsdPerMtok() / 1e6;
    }

    static String recordId(String endpointId, String runId, String itemId) {
        return UUID.nameUUIDFromBytes((endpointId + "|" + runId + "|" + itemId).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private void send(Runnable publish, Stats stats, String endpointId) {
        try {
            publish.run();
        } catch (RuntimeException e) {
            stats.sinkErrors.incrementAndGet();
            stats.firstSinkError.compareAndSet(null, endpointId + ": " + e);
        }
    }

    private void savePositions() {
        if (positionFile.isEmpty()) {
            return;
        }
        try {
            positionFile.get().write(positions);
        } catch (IOException e) {
            log.warn("cannot save eval positions to {}: {}; a restart will repeat items", positionFile.get().path(),
                    e.toString());
        }
    }

    private void logProgress(RoundSummary s, Stats stats) {
        log.info("eval round {}: {} endpoints, items {} ok {} correct {}, cost {} USD, fingerprints {} ok {}, "
                        + "sink errors {}, {} ms",
                s.round(), s.endpoints(), s.items(), s.itemsOk(), s.correct(), String.format("%.6f", s.costUsd()),
                s.fingerprints(), s.fingerprintsOk(), s.sinkErrors(), Math.round(s.durationMs()));
        // One line per failing endpoint per round, not one per request: throttled by construction.
        stats.failures.forEach((endpoint, f) -> log.warn("eval round {}: endpoint {}: {} failed requests, e.g. {}",
                s.round(), endpoint, f.count.get(), f.example));
        if (stats.firstSinkError.get() != null) {
            log.warn("eval round {}: {} records not accepted by the sink, e.g. {}", s.round(), s.sinkErrors(),
                    ChatClient.cap(stats.firstSinkError.get()));
        }
    }

    private double millisSince(long startNanos) {
        return (ticker.nanos() - startNanos) / 1_000_000.0;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdown();
        requests.shutdownNow();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Counters of one round, updated from the request threads. */
    private static final class Stats {
        final AtomicInteger items = new AtomicInteger();
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger correct = new AtomicInteger();
        final DoubleAdder cost = new DoubleAdder();
        final AtomicInteger fingerprints = new AtomicInteger();
        final AtomicInteger fingerprintsOk = new AtomicInteger();
        final AtomicInteger sinkErrors = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicReference<String> firstSinkError =
                new java.util.concurrent.atomic.AtomicReference<>();
        final Map<String, Failure> failures = new ConcurrentHashMap<>();

        void noteFailure(String endpointId, ChatResult r) {
            Failure f = failures.computeIfAbsent(endpointId, k -> new Failure(r.outcome() + ": " + r.error()));
            f.count.incrementAndGet();
        }

        RoundSummary summary(long round, int endpoints, double durationMs) {
            return new RoundSummary(round, endpoints, items.get(), ok.get(), correct.get(), cost.sum(),
                    fingerprints.get(), fingerprintsOk.get(), sinkErrors.get(), durationMs);
        }
    }

    private static final class Failure {
        final AtomicInteger count = new AtomicInteger();
        final String example;

        Failure(String example) {
            this.example = example;
        }
    }
}
