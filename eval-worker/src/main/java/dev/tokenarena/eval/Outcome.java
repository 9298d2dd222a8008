package dev.tokenarena.eval;

/** How a request to an endpoint ended; the names are the {@code outcome} values on the topics. */
public enum Outcome {
    /** A 2xx response that parsed. */
    OK,
    /** A non-2xx status other than 429. */
    HTTP_ERROR,
    /** HTTP 429. */
    RATE_LIMITED,
    /** No complete response within the request timeout. */
    TIMEOUT,
    /** No connection (refused, DNS, TLS, connect timeout, bad base URL). */
    CONNECT_ERROR,
    /** A response that is not what the protocol promises (bad JSON, no choices, too large, cut off). */
    PROTOCOL_ERROR
}
