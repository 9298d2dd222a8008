package dev.tokenarena.probe;

/** How one probe request ended; the names are the values of ProbeResult.outcome. */
enum Outcome {
    OK, HTTP_ERROR, RATE_LIMITED, TIMEOUT, CONNECT_ERROR, TLS_ERROR, PROTOCOL_ERROR, TRUNCATED, LIMIT_EXCEEDED
}
