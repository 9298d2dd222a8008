package dev.tokenarena.probe;

import java.util.concurrent.CompletableFuture;

/** Sends one request of a sweep; the future completes when the request has ended, never exceptionally. */
@FunctionalInterface
interface SweepLoad {

    /** @param inFlight requests in flight with this one (the closed-loop concurrency, or open-loop in-flight count) */
    CompletableFuture<SweepSample> send(int inFlight);
}
