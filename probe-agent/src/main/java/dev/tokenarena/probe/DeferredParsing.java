package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Protocol parsing moved behind the reads of one event loop. With 1,000 streams the first tokens
 * of many channels are ready in the same select; parsing each event's JSON where it is decoded
 * (a few microseconds) delayed the read, and so the arrival stamp, of every channel after it in
 * that select. Here a channel's decoded events wait (already stamped) until the loop has read all
 * ready sockets; then they are parsed in slices of at most {@link #SLICE_NANOS}, and between
 * slices the loop polls its sockets again, so a read never waits more than about one slice
 * behind parsing. One instance per event-loop thread; everything runs on that thread.
 */
final class DeferredParsing implements Runnable {

    /** Longest stretch of parsing before the loop looks at its sockets again. */
    static final long SLICE_NANOS = 100_000;

    private static final FastThreadLocal<DeferredParsing> PER_LOOP = new FastThreadLocal<>();

    private final EventExecutor loop;
    private final Ticker ticker;
    private final ArrayDeque<ExchangeHandler> ready = new ArrayDeque<>();
    private boolean queued;

    private DeferredParsing(EventExecutor loop, Ticker ticker) {
        this.loop = loop;
        this.ticker = ticker;
    }

    /** The instance of the calling event-loop thread; must be called on {@code loop}. */
    static DeferredParsing on(EventExecutor loop, Ticker ticker) {
        DeferredParsing d = PER_LOOP.get();
        if (d == null || d.loop != loop) {
            // A thread serves one loop for life; the check is for tests, whose embedded loops share a thread.
            d = new DeferredParsing(loop, ticker);
            PER_LOOP.set(d);
        }
        return d;
    }

    /** Parses {@code handler}'s waiting events once the loop has finished its current reads. */
    void offer(ExchangeHandler handler) {
        ready.add(handler);
        if (!queued) {
            queued = true;
            // A plain task runs after the current batch of reads, before the next select.
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        long start = ticker.nanos();
        ExchangeHandler h;
        while ((h = ready.poll()) != null) {
            h.runDeferred();
            if (!ready.isEmpty() && ticker.nanos() - start >= SLICE_NANOS) {
                // Not execute(): the loop drains its task queue before selecting again, so a
                // re-queued task would starve the sockets. A due scheduled task runs after the next select.
                loop.schedule(this, 0, TimeUnit.NANOSECONDS);
                return;
            }
        }
        queued = false;
    }

    /** Handlers waiting; for tests. */
    int waiting() {
        return ready.size();
    }
}
