package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Work moved behind the socket reads of one event loop: protocol parsing and connection starts.
 * With 1,000 streams the first tokens of many channels are ready in the same select. Parsing each
 * event's JSON where it is decoded (a few microseconds) delayed the read, and so the arrival
 * stamp, of every channel after it in that select; and a burst of 1,000 new requests, run as
 * plain loop tasks, kept the loop from its sockets for milliseconds (Netty runs queued tasks for up
 * to a second before it selects again) while the first of those requests were already answering.
 * Here such work waits until the loop has read all ready sockets; then it runs in slices of at
 * most {@link #SLICE_NANOS}, and between slices the loop polls its sockets again, so a read never
 * waits more than about one slice behind it. Work runs in the order it was offered. One instance
 * per event-loop thread; everything runs on that thread.
 */
final class DeferredWork implements Runnable {

    /** Longest stretch of deferred work before the loop looks at its sockets again. */
    static final long SLICE_NANOS = 100_000;

    private static final FastThreadLocal<DeferredWork> PER_LOOP = new FastThreadLocal<>();

    private final EventExecutor loop;
    private final Ticker ticker;
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private boolean queued;

    private DeferredWork(EventExecutor loop, Ticker ticker) {
        this.loop = loop;
        this.ticker = ticker;
    }

    /** The instance of the calling event-loop thread; must be called on {@code loop}. */
    static DeferredWork on(EventExecutor loop, Ticker ticker) {
        DeferredWork d = PER_LOOP.get();
        if (d == null || d.loop != loop) {
            // A thread serves one loop for life; the check is for tests, whose embedded loops share a thread.
            d = new DeferredWork(loop, ticker);
            PER_LOOP.set(d);
        }
        return d;
    }

    /** Runs {@code work} once the loop has finished its current reads (and earlier work). */
    void offer(Runnable work) {
        ready.add(work);
        if (!queued) {
            queued = true;
            // A plain task runs after the current batch of reads, before the next select.
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        long start = ticker.nanos();
        Runnable work;
        while ((work = ready.poll()) != null) {
            work.run();
            if (!ready.isEmpty() && ticker.nanos() - start >= SLICE_NANOS) {
                // Not execute(): the loop drains its task queue before selecting again, so a
                // re-queued task would starve the sockets. A due scheduled task runs after the next select.
                loop.schedule(this, 0, TimeUnit.NANOSECONDS);
                return;
            }
        }
        queued = false;
    }

    /** Work waiting; for tests. */
    int waiting() {
        return ready.size();
    }
}
