package dev.tokenarena.probe;

import dev.tokenarena.schemas.v1.ProbeResult;

/**
 * Where probe results go. Called from the agent's worker threads, never from a Netty event loop,
 * so an implementation may block briefly (a Kafka producer waiting for metadata). Must be
 * thread-safe and must not throw for a single bad record; the agent counts and logs it if it does.
 */
@FunctionalInterface
public interface ResultSink {

    void accept(ProbeResult result);
}
