package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import picocli.CommandLine;

/**
 * {@code arena sweep}: loads a self-hosted endpoint in steps of rising concurrency (closed loop)
 * or arrival rate (open loop, Poisson) until it saturates, and reports each step's throughput,
 * interactivity, TTFT and TPOT, error rate and GPU cost per million output tokens, marking the
 * cheapest step that meets the TTFT and TPOT SLOs.
 *
 * <p>Saturated means: a step's throughput grew by less than {@code min-gain} over the previous
 * step's, or its error rate passed {@code max-error-rate}. That step is still reported (it shows
 * the knee); no further step runs. Steps run one after another, never overlapping.
 *
 * <p>Closed loop: {@code c} users each send a request, wait for it to end and send the next, until
 * the step's time is up; requests already sent are waited for and counted.
 */
public final class Sweep {

    private final SweepSettings settings;
    private final SweepLoad load;
    private final Ticker ticker;
    private final OpenLoop.Timer timer;
    private final IntConsumer onStepStart;

    /**
     * @param timer       fires open-loop arrivals (unused for concurrency sweeps)
     * @param onStepStart called with each step's index as it starts (progress output)
     */
    Sweep(SweepSettings settings, SweepLoad load, Ticker ticker, OpenLoop.Timer timer, IntConsumer onStepStart) {
        this.settings = settings;
        this.load = load;
        this.ticker = ticker;
        this.timer = timer;
        this.onStepStart = onStepStart;
    }

    /** The sweep's outcome: every step run, why it stopped, and the cheapest step meeting the SLOs. */
    record Report(SweepSettings settings, List<SweepStep> steps, String stopReason, Integer bestStep) {
    }

    /** Runs the steps in order until saturation or the last step. */
    CompletableFuture<Report> run() {
        List<SweepStep> steps = Collections.synchronizedList(new ArrayList<>());
        return next(0, steps).thenApply(reason -> new Report(settings, List.copyOf(steps), reason, cheapest(steps)));
    }

    private CompletableFuture<String> next(int index, List<SweepStep> steps) {
        double level = settings.loads().get(index);
        onStepStart.accept(index);
        return runStep(index, level, steps.isEmpty() ? null : steps.get(steps.size() - 1)).thenCompose(step -> {
            steps.add(step);
            String reason = stopReason(settings, steps);
            return reason != null ? CompletableFuture.completedFuture(reason) : next(index + 1, steps);
        });
    }

    private CompletableFuture<SweepStep> runStep(int index, double level, SweepStep previous) {
        long start = ticker.nanos();
        List<SweepSample> samples = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> dropped;
        if (settings.mode() == SweepSettings.Mode.CONCURRENCY) {
            int users = (int) level;
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                user(start, users, samples, done);
                all.add(done);
            }
            dropped = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> 0);
        } else {
            long[] offsets = PoissonArrivals.offsetsNanos(settings.seed() + index, level, settings.stepNanos());
            dropped = new OpenLoop(ticker, timer).run(offsets, settings.stepNanos(), level, settings.maxInFlight(),
                    (i, inFlight) -> load.send(inFlight).thenAccept(samples::add)).thenApply(OpenLoop.Report::dropped);
        }
        return dropped.thenApply(d -> SweepStep.summarize(index, level, List.copyOf(samples), d, ticker.nanos() - start,
                previous, settings));
    }

    /** One closed-loop user: send, wait for the end, send again while the step's time lasts. */
    private void user(long start, int users, List<SweepSample> samples, CompletableFuture<Void> done) {
        if (ticker.nanos() - start >= settings.stepNanos()) {
            done.complete(null);
            return;
        }
        CompletableFuture<SweepSample> f;
        try {
            f = load.send(users);
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(SweepSample.failed());
        }
        f.whenComplete((sample, error) -> {
            samples.add(error != null ? SweepSample.failed() : sample);
            user(start, users, samples, done);
        });
    }

    /** Why the sweep stops after the last of {@code steps}, or null to go on. */
    static String stopReason(SweepSettings s, List<SweepStep> steps) {
        SweepStep last = steps.get(steps.size() - 1);
        if (last.errorRate() > s.maxErrorRate()) {
            return String.format(Locale.ROOT, "saturated: error rate %.3f above max-error-rate %.3f at step %d",
                    last.errorRate(), s.maxErrorRate(), last.index());
        }
        if (last.gain() != null && last.gain() < s.minGain()) {
            return String.format(Locale.ROOT, "saturated: throughput grew %.1f%% (less than min-gain %.1f%%) at step %d",
                    100 * last.gain(), 100 * s.minGain(), last.index());
        }
        if (steps.size() == s.loads().size()) {
            return "last step reached without saturation";
        }
        return null;
    }

    /**
     * Index of the cheapest step meeting the SLOs: the lowest $/1M output tokens, which for one
     * GPU price is the highest throughput (so that is the rule without a price); null when none does.
     */
    static Integer cheapest(List<SweepStep> steps) {
        SweepStep best = null;
        for (SweepStep st : steps) {
            if (st.meetsSlo() && (best == null || st.throughputTps() > best.throughputTps())) {
                best = st;
            }
        }
        return best == null ? null : best.index();
    }

    /** Runs a sweep from the command line; see {@link SweepOptions} for the options. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SweepOptions.Main()).execute(args));
    }
}
