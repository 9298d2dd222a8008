package dev.tokenarena.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * The mutable state shared by every connection: current specs, request counters and the seeded
 * random source that decides failures, so a test that sets a rate to 1.0 always gets it.
 */
final class Fleet {

  enum Outcome { OK, SERVER_ERROR, RATE_LIMITED }

  /**
   * @param runSeed seeds the request's run noise, sampling and jitter
   */
  record Draw(Outcome outcome, boolean broken, long runSeed) {
  }

  private final Map<String, SkuSpec> specs = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final List<String> ids;
  private final Random rng;

  Fleet(List<SkuSpec> initial, long seed) {
    Map<String, SkuSpec> ordered = new LinkedHashMap<>();
    for (SkuSpec spec : initial) {
      if (ordered.put(spec.endpointId(), spec) != null) {
        throw new IllegalArgumentException("duplicate endpointId " + spec.endpointId());
      }
      counts.put(spec.endpointId(), new LongAdder());
    }
    if (ordered.isEmpty()) {
      throw new IllegalArgumentException("the simulator needs at least one SkuSpec");
    }
    specs.putAll(ordered);
    ids = List.copyOf(new ArrayList<>(ordered.keySet()));
    rng = new Random(seed);
  }

  List<String> endpointIds() {
    return ids;
  }

  /** The current spec, or null for an unknown endpoint. */
  SkuSpec spec(String endpointId) {
    return specs.get(endpointId);
  }

  SkuSpec require(String endpointId) {
    SkuSpec spec = specs.get(endpointId);
    if (spec == null) {
      throw new IllegalArgumentException("unknown endpoint " + endpointId + "; known: " + ids);
    }
    return spec;
  }

  void update(String endpointId, UnaryOperator<SkuSpec> change) {
    require(endpointId);
    specs.compute(endpointId, (id, current) -> {
      SkuSpec next = change.apply(current);
      if (next == null || !next.endpointId().equals(id)) {
        throw new IllegalArgumentException("an update of " + id + " must return a spec with the same"
            + " endpointId, got " + (next == null ? "null" : next.endpointId()));
      }
      return next;
    });
  }

  void countRequest(String endpointId) {
    counts.get(endpointId).increment();
  }

  long requestCount(String endpointId) {
    require(endpointId);
    return counts.get(endpointId).sum();
  }

  /** 500 and 429 share one draw so their rates are fractions of all requests; broken is separate. */
  Draw draw(SkuSpec spec) {
    synchronized (rng) {
      double u = rng.nextDouble();
      boolean broken = rng.nextDouble() < spec.brokenStreamRate();
      long runSeed = rng.nextLong();
      Outcome outcome = u < spec.errorRate() ? Outcome.SERVER_ERROR
          : u < spec.errorRate() + spec.rateLimitRate() ? Outcome.RATE_LIMITED : Outcome.OK;
      return new Draw(outcome, broken && outcome == Outcome.OK, runSeed);
    }
  }
}
