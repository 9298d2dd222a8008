package dev.tokenarena.probe;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;

/**
 * Rendezvous (highest-random-weight) hashing: an endpoint belongs to the live agent whose
 * weight for it is highest. Every agent that sees the same live set computes the same owner with
 * no coordination, and when an agent leaves only the endpoints it owned move (each to the agent
 * with its second-highest weight); everyone else's share stays put. Joining is the mirror image.
 */
final class Rendezvous {

    static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** Weight of an (agent, endpoint) pair; compared as unsigned 64-bit numbers. */
    @FunctionalInterface
    interface Weight {
        long of(String agentId, String endpointId);
    }

    /**
     * The production weight: 64-bit FNV-1a over {@code agent_id NUL endpoint_id} (UTF-8), then
     * murmur3's 64-bit finalizer so that ids differing in one character spread over the whole
     * range. Fixed forever: agents of different versions must agree on owners.
     */
    static final Weight HASH = (agentId, endpointId) -> {
        long h = fnv(FNV_OFFSET_BASIS, agentId.getBytes(StandardCharsets.UTF_8));
        h = fnv(h, new byte[] {0}); // so ("ab", "c") and ("a", "bc") differ
        h = fnv(h, endpointId.getBytes(StandardCharsets.UTF_8));
        return fmix64(h);
    };

    private final Weight weight;

    Rendezvous(Weight weight) {
        this.weight = Objects.requireNonNull(weight, "weight");
    }

    /**
     * The owner of {@code endpointId} among {@code agents}, or null when there are none. Equal
     * weights (practically never with {@link #HASH}) go to the smaller agent id, so the answer
     * does not depend on the order of the collection.
     */
    String owner(String endpointId, Collection<String> agents) {
        String best = null;
        long bestWeight = 0;
        for (String agent : agents) {
            long w = weight.of(agent, endpointId);
            if (best == null) {
                best = agent;
                bestWeight = w;
                continue;
            }
            int cmp = Long.compareUnsigned(w, bestWeight);
            if (cmp > 0 || (cmp == 0 && agent.compareTo(best) < 0)) {
                best = agent;
                bestWeight = w;
            }
        }
        return best;
    }

    /** 64-bit FNV-1a of {@code bytes}, continuing from {@code h} (the offset basis to start). */
    static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
