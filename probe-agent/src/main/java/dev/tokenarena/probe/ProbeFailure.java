package dev.tokenarena.probe;

/**
 * A request failure with its outcome class, raised by our own handlers and parsers. No stack
 * trace: a hostile endpoint can trigger these on every chunk, and the message says everything.
 */
final class ProbeFailure extends Exception {

    private final Outcome outcome;

    ProbeFailure(Outcome outcome, String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    Outcome outcome() {
        return outcome;
    }
}
