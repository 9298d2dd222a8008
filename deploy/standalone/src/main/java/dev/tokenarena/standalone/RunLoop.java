package dev.tokenarena.standalone;

import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a started stack for its duration with a progress line, fires the demo's scheduled
 * change, and ends cleanly on time or on Ctrl-C: producers stop first, the pipeline drains, the
 * tables are printed, then everything closes.
 */
final class RunLoop {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    /** Fraction of a demo run after which the simulated fleet's price cut happens. */
    private static final double PRICE_CUT_AT = 0.5;

    private RunLoop() {
    }

    static int run(StackOptions options, PrintStream out) {
        return run(options, out, stack -> { }, stack -> { });
    }

    /**
     * As {@link #run(StackOptions, PrintStream)}, calling {@code onStarted} once everything runs
     * and {@code onDrained} after the pipeline drained, before anything closes.
     */
    static int run(StackOptions options, PrintStream out, java.util.function.Consumer<ArenaStack> onStarted,
                   java.util.function.Consumer<ArenaStack> onDrained) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "arena-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (ArenaStack stack = new ArenaStack(options, out)) {
            stack.start();
            onStarted.accept(stack);
            long startNanos = System.nanoTime();
            long total = options.duration().toNanos();
            boolean changed = false;
            boolean reverted = false;
            boolean priceCut = false;
            while (true) {
                long elapsed = System.nanoTime() - startNanos;
                if (elapsed >= total || stop.getCount() == 0) {
                    break;
                }
                if (options.simulated() && !changed && elapsed >= total * options.changeAt()) {
                    stack.quantizeSilently();
                    out.printf("[%s] simulator: %s silently switched to a quantized model%n", clock(elapsed, total),
                            dev.tokenarena.simulator.DefaultFleet.SILENT_QUANTIZATION_TARGET);
                    changed = true;
                }
                if (options.simulated() && !priceCut && elapsed >= total * PRICE_CUT_AT) {
                    stack.cutPrice();
                    out.printf("[%s] feed: %s cut its output price to 2.80 USD per 1M tokens%n", clock(elapsed, total),
                            dev.tokenarena.simulator.DefaultFleet.ROCKET);
                    priceCut = true;
                }
                if (options.simulated() && changed && !reverted && elapsed >= total * options.revertAt()) {
                    stack.revertQuantization();
                    out.printf("[%s] simulator: %s reverted to its original model%n", clock(elapsed, total),
                            dev.tokenarena.simulator.DefaultFleet.SILENT_QUANTIZATION_TARGET);
                    reverted = true;
                }
                progress(out, stack, elapsed, total);
                long wait = Math.min(PROGRESS_EVERY.toNanos(), Math.max(1, total - elapsed));
                if (options.simulated() && !changed) {
                    wait = Math.min(wait, Math.max(1, (long) (total * options.changeAt()) - elapsed));
                } else if (options.simulated() && !reverted) {
                    wait = Math.min(wait, Math.max(1, (long) (total * options.revertAt()) - elapsed));
                }
                stop.await(wait, TimeUnit.NANOSECONDS);
            }
            out.println("stopping probes and workers; draining the pipeline...");
            stack.stopProducers();
            boolean drained = stack.awaitDrained(DRAIN_TIMEOUT);
            onDrained.accept(stack);
            Map<String, LeaderboardSnapshot> boards = stack.view().leaderboards();
            if (options.printTables()) {
                boards.values().forEach(b -> out.print(LeaderboardTable.render(b)));
                if (!boards.isEmpty()) {
                    out.print(LeaderboardTable.renderLatency(boards.values().iterator().next()));
                }
                out.print(LeaderboardTable.renderAlerts(stack.view().alerts()));
                out.print(LeaderboardTable.renderAgents(stack.agentShares(), stack.catalogueSize()));
            }
            out.printf("%noutput written to %s (leaderboard-<preset>.json/.csv for 1 h, -24h/-7d for the longer windows, alerts.jsonl, probe-results.jsonl)%s%n",
                    options.outDir().toAbsolutePath(), drained ? "" : " — WARNING: pipeline did not fully drain");
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    private static void progress(PrintStream out, ArenaStack stack, long elapsed, long total) {
        out.printf(Locale.ROOT, "[%s] probe results=%d endpoints/agent=%s leaderboards=%d alerts=%d scoring=%s%n",
                clock(elapsed, total), stack.probeResults(), shares(stack.agentShares()),
                stack.view().leaderboards().size(), stack.view().alerts().size(), stack.scoringState());
    }

    /** Endpoints probed so far per agent, grouped by region: {@code us-east:5+4,eu-central:9}. */
    static String shares(java.util.List<AgentTally.Share> shares) {
        Map<String, String> byRegion = new java.util.LinkedHashMap<>();
        for (AgentTally.Share s : shares) {
            byRegion.merge(s.region(), Integer.toString(s.endpoints().size()), (a, b) -> a + "+" + b);
        }
        return byRegion.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
    }

    private static String clock(long elapsedNanos, long totalNanos) {
        return String.format(Locale.ROOT, "%4ds/%ds", TimeUnit.NANOSECONDS.toSeconds(elapsedNanos),
                TimeUnit.NANOSECONDS.toSeconds(totalNanos));
    }
}
