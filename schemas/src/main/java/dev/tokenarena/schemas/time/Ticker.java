package dev.tokenarena.schemas.time;

/**
 * A monotonic source of nanoseconds. Durations are measured with it, never with wall time;
 * tests inject their own.
 */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** Monotonic nanoseconds from an arbitrary origin. */
    long nanos();
}
