package dev.tokenarena.simulator;

/**
 * Everything needed to send one successful answer: what to say and when.
 *
 * @param spec             the endpoint's spec when the request arrived (later updates do not apply)
 * @param createdEpochSec  wall time, only to stamp {@code created} as real servers do
 * @param schedule         when each part is due, relative to the request's arrival
 * @param breakAfterTokens close the connection after this many tokens; -1 = finish normally
 */
record Plan(ApiRequest request, SkuSpec spec, String requestId, long createdEpochSec,
    Responder.Answer answer, Schedule schedule, int breakAfterTokens) {

  /**
   * @param headersNanos  network delay: headers and opening frames are due then
   * @param tokenNanos    due time of each token; {@code tokenNanos[0] - headersNanos} is the TTFT
   * @param ttftMs        scheduled TTFT without the network delay (jitter and prefill included)
   */
  record Schedule(long headersNanos, long[] tokenNanos, double ttftMs) {

    /** Due time of the complete answer: the last token, or the first-token time when none. */
    long endNanos() {
      return tokenNanos.length == 0 ? headersNanos + Math.round(ttftMs * 1e6)
          : tokenNanos[tokenNanos.length - 1];
    }

    /** Scheduled decode time from the first to the last token, in ms. */
    double decodeMs() {
      return tokenNanos.length < 2 ? 0 : (tokenNanos[tokenNanos.length - 1] - tokenNanos[0]) / 1e6;
    }
  }

  int completionTokens() {
    return answer.tokens().size();
  }

  int totalTokens() {
    return answer.promptTokens() + completionTokens();
  }
}
