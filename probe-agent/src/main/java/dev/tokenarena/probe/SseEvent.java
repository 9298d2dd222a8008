package dev.tokenarena.probe;

/**
 * One server-sent event. {@code nanos} is the Ticker reading taken when Netty handed over the
 * chunk that completed the event, so every timing downstream is a network-arrival time.
 */
record SseEvent(String event, String data, long nanos) {

    /** The end of a 2xx response body, stamped like an event. */
    record End(long nanos) {
    }
}
