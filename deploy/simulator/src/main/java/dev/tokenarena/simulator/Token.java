package dev.tokenarena.simulator;

import java.util.List;

/**
 * One emitted token: its text, its log-probability and the alternatives at its position, best
 * first. Reasoning tokens carry no log-probabilities (as on real servers).
 */
record Token(String text, boolean reasoning, double logprob, List<Alternative> alternatives) {

  record Alternative(String token, double logprob) {
  }

  Token {
    alternatives = List.copyOf(alternatives);
  }
}
