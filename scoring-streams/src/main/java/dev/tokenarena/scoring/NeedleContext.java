package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.NeedleHit;
import dev.tokenarena.scoring.avro.NeedleState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Effective context from needle-in-a-haystack probes: the largest haystack length whose latest
 * results are mostly found (strictly more than half of the last N), provided every smaller
 * measured length passes too. A model that finds the needle at 100K but not at 10K has no
 * reliable 100K context, hence the monotone rule.
 */
final class NeedleContext {

    private NeedleContext() {
    }

    static NeedleState empty() {
        return NeedleState.newBuilder().build();
    }

    /** Keeps the latest {@code keep} results per length, by event time (late results sort in). */
    static NeedleState add(ProbeResult r, NeedleState state, int keep) {
        if (r.getNeedleContextTokens() == null || r.getNeedleFound() == null) {
            return state;
        }
        Map<String, List<NeedleHit>> byLength = new LinkedHashMap<>(state.getByLength());
        String key = Integer.toString(r.getNeedleContextTokens());
        List<NeedleHit> hits = new ArrayList<>(byLength.getOrDefault(key, List.of()));
        hits.add(new NeedleHit(r.getStartedAtMs(), r.getNeedleFound()));
        hits.sort(Comparator.comparingLong(NeedleHit::getAtMs));
        if (hits.size() > keep) {
            hits = new ArrayList<>(hits.subList(hits.size() - keep, hits.size()));
        }
        byLength.put(key, hits);
        return NeedleState.newBuilder().setByLength(byLength).build();
    }

    /** The effective context in tokens, or null when not even the smallest length passes. */
    static Long effectiveContext(NeedleState state) {
        Map<Long, List<NeedleHit>> ordered = new TreeMap<>();
        state.getByLength().forEach((k, v) -> ordered.put(Long.parseLong(k), v));
        Long best = null;
        for (Map.Entry<Long, List<NeedleHit>> e : ordered.entrySet()) {
            long found = e.getValue().stream().filter(NeedleHit::getFound).count();
            if (found * 2 <= e.getValue().size()) {
                break;
            }
            best = e.getKey();
        }
        return best;
    }
}
