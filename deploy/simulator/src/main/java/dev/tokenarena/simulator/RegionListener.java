package dev.tokenarena.simulator;

/**
 * One listening port of the simulator, standing for a region at a network distance.
 *
 * @param region         region name, e.g. {@code us-east}
 * @param port           TCP port on 127.0.0.1; 0 picks any free port
 * @param networkDelayMs one-way delay added before the response headers of every request, so
 *                       every later chunk is shifted by the same amount
 */
public record RegionListener(String region, int port, double networkDelayMs) {
  public RegionListener {
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("region must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port + " for " + region);
    }
    if (!(networkDelayMs >= 0) || Double.isInfinite(networkDelayMs)) {
      throw new IllegalArgumentException("networkDelayMs must be finite and >= 0, got "
          + networkDelayMs + " for " + region);
    }
  }
}
