package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/** Clocks that tests move by hand: wall time, a monotonic ticker, and a timer that fires on them. */
final class TestClocks {

    private TestClocks() {
    }

    /** A wall clock at a settable millisecond. */
    static final class ManualClock extends Clock {
        private volatile long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        void advanceMillis(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** A ticker at a settable nanosecond. */
    static final class ManualTicker implements Ticker {
        private volatile long nanos;

        void advanceNanos(long n) {
            nanos += n;
        }

        void advanceMillis(long ms) {
            nanos += ms * 1_000_000L;
        }

        @Override
        public long nanos() {
            return nanos;
        }
    }

    /**
     * A single-threaded timer on a {@link ManualTicker}: {@link #runUntil} fires due tasks in time
     * order (ties in the order they were scheduled), moving the ticker to each task's time.
     */
    static final class ManualTimer implements OpenLoop.Timer {
        private record Task(long due, long seq, Runnable run) {
        }

        private final ManualTicker ticker;
        private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.due != b.due
                ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
        private long seq;

        ManualTimer(ManualTicker ticker) {
            this.ticker = ticker;
        }

        @Override
        public void schedule(Runnable task, long delayNanos) {
            queue.add(new Task(ticker.nanos() + Math.max(0, delayNanos), seq++, task));
        }

        void runUntil(long nanos) {
            while (!queue.isEmpty() && queue.peek().due() <= nanos) {
                Task t = queue.poll();
                ticker.advanceNanos(t.due() - ticker.nanos());
                t.run().run();
            }
            ticker.advanceNanos(nanos - ticker.nanos());
        }

        int pending() {
            return queue.size();
        }
    }
}
