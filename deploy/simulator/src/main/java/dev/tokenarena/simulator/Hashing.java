package dev.tokenarena.simulator;

/**
 * Stable 64-bit hashing for every seed of the simulator. {@link String#hashCode()} would do for
 * determinism but its 32 bits collide too often across thousands of prompts x positions.
 */
final class Hashing {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Hashing() {
  }

  /** FNV-1a over the UTF-16 code units, finished with {@link #mix(long)}. */
  static long of(String text) {
    long h = FNV_OFFSET;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= FNV_PRIME;
    }
    return mix(h);
  }

  /** Order-sensitive combination of two hashes. */
  static long combine(long a, long b) {
    return mix(a ^ (b + GOLDEN + (a << 6) + (a >>> 2)));
  }

  static long combine(long a, long b, long c) {
    return combine(combine(a, b), c);
  }

  /** SplitMix64 finaliser: spreads every input bit over the whole word. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
