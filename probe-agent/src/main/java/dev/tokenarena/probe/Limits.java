package dev.tokenarena.probe;

/**
 * Bounds on one request against an endpoint we do not trust: durations and byte sizes. The
 * setting names travel with the values so every error can say which limit it hit.
 */
record Limits(int connectTimeoutMs, long firstByteTimeoutMs, long requestTimeoutMs,
              int maxLineBytes, int maxEventBytes, long maxResponseBytes) {

    static Limits defaults() {
        return new Limits(10_000, 60_000, 180_000, 1024 * 1024, 4 * 1024 * 1024, 64L * 1024 * 1024);
    }
}
