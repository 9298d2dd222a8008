package dev.tokenarena.schemas.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A wall clock that runs {@code factor} times faster than real time from a start instant, so
 * a two-minute demo covers two hours of event time and hourly windows fill. Only event stamps
 * use it; durations are still measured in real nanoseconds.
 */
public final class CompressedClock extends Clock {

    private final Instant start;
    private final long startNanos;
    private final double factor;
    private final Ticker ticker;

    public CompressedClock(Instant start, double factor, Ticker ticker) {
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException("time compression factor must be >= 1, got " + factor);
        }
        this.start = start;
        this.factor = factor;
        this.ticker = ticker;
        this.startNanos = ticker.nanos();
    }

    public double factor() {
        return factor;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        long realNanos = ticker.nanos() - startNanos;
        return start.toEpochMilli() + (long) (realNanos * factor / 1_000_000.0);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }
}
