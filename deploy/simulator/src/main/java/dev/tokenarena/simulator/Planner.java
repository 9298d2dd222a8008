package dev.tokenarena.simulator;

import java.util.Random;

/**
 * Pure construction of a {@link Plan} from a spec and a request: what to say ({@link Responder})
 * and when. No I/O, so tests check the schedule without sockets.
 *
 * <p>Timing truth, relative to the request's arrival: headers at the network delay {@code D};
 * first token at {@code D + ttftMs * (1 + U(-j, j)) + promptTokens * 1000 / prefillTps}; every
 * later token {@code (1000 / tps) * (1 + U(-j, j))} ms after the previous one.
 */
final class Planner {

  private final Responder responder;

  Planner(Responder responder) {
    this.responder = responder;
  }

  /**
   * @param runSeed seeds this request's run noise, sampling and jitter
   * @param broken  close the connection halfway through the answer
   */
  Plan plan(SkuSpec spec, ApiRequest request, double networkDelayMs, long runSeed, boolean broken,
      String requestId, long createdEpochSec) {
    Random run = new Random(runSeed);
    Responder.Answer answer = responder.answer(spec, request.prompt(), request.maxTokens(),
        request.temperature(), run, request.route() != ApiRequest.Route.COMPLETIONS);
    Plan.Schedule schedule = schedule(spec, networkDelayMs, answer.promptTokens(),
        answer.tokens().size(), run);
    int breakAfter = broken ? answer.tokens().size() / 2 : -1;
    return new Plan(request, spec, requestId, createdEpochSec, answer, schedule, breakAfter);
  }

  static Plan.Schedule schedule(SkuSpec spec, double networkDelayMs, int promptTokens, int tokens,
      Random jitter) {
    double j = spec.jitterFraction();
    double ttftMs = spec.ttftMs() * (1 + j * (2 * jitter.nextDouble() - 1))
        + promptTokens * 1000.0 / spec.prefillTokensPerSecond();
    long headers = Math.round(networkDelayMs * 1e6);
    long[] due = new long[tokens];
    double t = headers + ttftMs * 1e6;
    for (int i = 0; i < tokens; i++) {
      due[i] = Math.round(t);
      t += spec.tokenGapMs() * (1 + j * (2 * jitter.nextDouble() - 1)) * 1e6;
    }
    return new Plan.Schedule(headers, due, ttftMs);
  }

  Responder responder() {
    return responder;
  }
}
