package dev.tokenarena.probe;

/**
 * The raw record of one request as the HTTP client saw it: Ticker readings (nanoseconds, -1 when
 * not measured), what arrived, and how it ended. Turned into a ProbeResult by {@link ResultAssembler}.
 */
record Exchange(long startNanos, long connectNanos, long tlsNanos, int status, String contentType,
                String requestIdHeader, String errorBody, StreamRecorder stream, Ending ending, String retryAfter) {

    /** How the exchange ended at the transport level. */
    sealed interface Ending permits Completed, Failed {
        long atNanos();
    }

    /** The response ended (cleanly or by the peer closing); whether the stream was whole is decided later. */
    record Completed(long atNanos) implements Ending {
    }

    /** We ended it: timeout, limit, broken HTTP, TLS or connect failure. */
    record Failed(Outcome outcome, String reason, long atNanos) implements Ending {
    }
}
