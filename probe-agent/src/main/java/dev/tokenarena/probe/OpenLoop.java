package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends requests on a fixed arrival schedule (open loop): arrival {@code i} is sent at
 * {@code start + offsets[i]} whether or not earlier requests have finished, which is how real
 * users arrive and what shows queueing at a saturated server. Closed loop, by contrast, waits for
 * a completion before the next send and so slows down with the server it measures.
 *
 * <p>In-flight requests are capped: an arrival that finds {@code maxInFlight} requests in flight is
 * dropped (never sent), and counted, so a stuck server cannot make the prober open sockets without
 * bound. The report says how many were dropped and what rate was really sent.
 *
 * <p>Each arrival schedules the next one at its absolute time, so timer lateness does not add up.
 */
final class OpenLoop {

    /** Runs a task after a delay; tests pass one driven by their own clock. */
    @FunctionalInterface
    interface Timer {
        void schedule(Runnable task, long delayNanos);

        static Timer of(ScheduledExecutorService executor) {
            return (task, delay) -> executor.schedule(task, Math.max(0, delay), TimeUnit.NANOSECONDS);
        }
    }

    /** Sends arrival {@code index}; {@code inFlight} counts it too. The future completes when it has ended. */
    @FunctionalInterface
    interface Sender {
        CompletableFuture<?> send(int index, int inFlight);
    }

    /**
     * What an open-loop run did.
     *
     * @param arrivals     arrivals in the schedule
     * @param sent         arrivals sent
     * @param dropped      arrivals dropped because {@code maxInFlight} were in flight
     * @param peakInFlight most requests in flight at once
     * @param targetRps    the rate asked for, requests per second
     * @param realizedRps  sent requests per second of the arrival window
     */
    record Report(int arrivals, int sent, int dropped, int peakInFlight, double targetRps, double realizedRps) {
    }

    private final Ticker ticker;
    private final Timer timer;

    OpenLoop(Ticker ticker, Timer timer) {
        this.ticker = ticker;
        this.timer = timer;
    }

    /**
     * Runs the schedule; completes when every sent request has ended.
     *
     * @param offsets       arrival offsets from now, nanoseconds, ascending
     * @param windowNanos   length of the arrival window the offsets were drawn for
     * @param targetRps     the rate the schedule was drawn at, for the report
     * @param maxInFlight   most requests in flight at once
     */
    CompletableFuture<Report> run(long[] offsets, long windowNanos, double targetRps, int maxInFlight, Sender sender) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in flight must be >= 1, got " + maxInFlight);
        }
        return new Run(offsets, windowNanos, targetRps, maxInFlight, sender).start();
    }

    private final class Run {
        private final long[] offsets;
        private final long windowNanos;
        private final double targetRps;
        private final int maxInFlight;
        private final Sender sender;
        private final CompletableFuture<Report> done = new CompletableFuture<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger dropped = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private volatile boolean allArrived;
        private long start;

        Run(long[] offsets, long windowNanos, double targetRps, int maxInFlight, Sender sender) {
            this.offsets = offsets;
            this.windowNanos = windowNanos;
            this.targetRps = targetRps;
            this.maxInFlight = maxInFlight;
            this.sender = sender;
        }

        CompletableFuture<Report> start() {
            start = ticker.nanos();
            if (offsets.length == 0) {
                finishIfDone(true);
            } else {
                timer.schedule(() -> arrive(0), offsets[0]);
            }
            return done;
        }

        private void arrive(int i) {
            if (i + 1 < offsets.length) {
                timer.schedule(() -> arrive(i + 1), start + offsets[i + 1] - ticker.nanos());
            }
            // Claim a slot atomically: two arrivals racing for the last one must not both get it.
            int now;
            do {
                now = inFlight.get();
                if (now >= maxInFlight) {
                    dropped.incrementAndGet();
                    finishIfDone(i + 1 == offsets.length);
                    return;
                }
            } while (!inFlight.compareAndSet(now, now + 1));
            peak.accumulateAndGet(now + 1, Math::max);
            sent.incrementAndGet();
            CompletableFuture<?> f;
            try {
                f = sender.send(i, now + 1);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            boolean last = i + 1 == offsets.length;
            f.whenComplete((v, e) -> {
                inFlight.decrementAndGet();
                finishIfDone(false);
            });
            finishIfDone(last);
        }

        private void finishIfDone(boolean lastArrival) {
            if (lastArrival) {
                allArrived = true;
            }
            if (allArrived && inFlight.get() == 0) {
                double seconds = windowNanos / 1e9;
                done.complete(new Report(offsets.length, sent.get(), dropped.get(), peak.get(), targetRps,
                        seconds > 0 ? sent.get() / seconds : 0));
            }
        }
    }
}
