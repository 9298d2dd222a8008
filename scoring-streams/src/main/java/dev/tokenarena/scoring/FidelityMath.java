package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.TokenLogprob;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Symmetrized KL between two greedy completions of one prompt, from their top-k logprobs.
 *
 * <p>Positions compared: from 0 while both sides generated the same token, plus the first
 * position where they differ (its context is still shared, and it is where the distributions
 * differ most), capped by the shorter completion. At each position both sides become
 * distributions over the union of their top-k tokens plus an "other" bucket:
 * <ul>
 *   <li>listed token: p = exp(logprob); other mass o = max(0, 1 - sum of listed p);</li>
 *   <li>a union token missing from a side's list gets q = min(o / (m + 1), smallest listed p),
 *       m = how many union tokens that side misses: its leftover mass is split evenly between
 *       the missing tokens and its own other bucket, and a missing token cannot be more likely
 *       than the least likely token the side did list; the other bucket keeps o - m q;</li>
 *   <li>every entry + epsilon, then renormalized to sum 1;</li>
 *   <li>SKL = KL(P||Q) + KL(Q||P) = sum (p - q) ln(p / q) (Jeffreys divergence, nats).</li>
 * </ul>
 * The sample's SKL is the mean over compared positions.
 */
final class FidelityMath {

    private FidelityMath() {
    }

    /** Outcome of a comparison: the mean SKL and how many positions it covers. */
    record Comparison(double meanSkl, int positions) {
    }

    /** Compares two completions; positions = 0 when there is nothing to compare. */
    static Comparison compare(List<FingerprintPosition> a, List<FingerprintPosition> b, double epsilon) {
        int n = Math.min(a.size(), b.size());
        double sum = 0;
        int compared = 0;
        for (int i = 0; i < n; i++) {
            sum += skl(a.get(i), b.get(i), epsilon);
            compared++;
            if (!a.get(i).getToken().equals(b.get(i).getToken())) {
                break;
            }
        }
        return new Comparison(compared == 0 ? 0.0 : sum / compared, compared);
    }

    /** F = 100 exp(-mean SKL). */
    static double fidelity(double meanSkl) {
        return 100.0 * Math.exp(-meanSkl);
    }

    static double skl(FingerprintPosition a, FingerprintPosition b, double epsilon) {
        Map<String, Double> pa = listed(a);
        Map<String, Double> pb = listed(b);
        Set<String> union = new LinkedHashSet<>(pa.keySet());
        union.addAll(pb.keySet());
        double[] va = vector(pa, union, epsilon);
        double[] vb = vector(pb, union, epsilon);
        double d = 0;
        for (int i = 0; i < va.length; i++) {
            d += (va[i] - vb[i]) * Math.log(va[i] / vb[i]);
        }
        return d;
    }

    /** Listed probabilities of a position; the generated token alone when no top-k came back. */
    private static Map<String, Double> listed(FingerprintPosition pos) {
        Map<String, Double> p = new LinkedHashMap<>();
        List<TokenLogprob> top = pos.getTop();
        if (top == null || top.isEmpty()) {
            p.put(pos.getToken(), Math.exp(pos.getLogprob()));
        } else {
            for (TokenLogprob t : top) {
                p.merge(t.getToken(), Math.exp(t.getLogprob()), Math::max);
            }
        }
        return p;
    }

    private static double[] vector(Map<String, Double> listed, Set<String> union, double epsilon) {
        double listedSum = listed.values().stream().mapToDouble(Double::doubleValue).sum();
        double other = Math.max(0.0, 1.0 - listedSum);
        double smallest = listed.values().stream().mapToDouble(Double::doubleValue).min().orElse(0.0);
        long missing = union.stream().filter(t -> !listed.containsKey(t)).count();
        double q = missing == 0 ? 0.0 : Math.min(other / (missing + 1), smallest);
        double[] v = new double[union.size() + 1];
        int i = 0;
        for (String t : union) {
            v[i++] = listed.getOrDefault(t, q);
        }
        v[i] = other - missing * q; // the OTHER bucket
        double total = 0;
        for (int k = 0; k < v.length; k++) {
            v[k] += epsilon;
            total += v[k];
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= total;
        }
        return v;
    }
}
