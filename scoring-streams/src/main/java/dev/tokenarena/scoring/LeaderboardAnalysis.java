package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a leaderboard is worth: how stable its order is under the weights, and which endpoints
 * are Pareto-optimal. Pure functions of the rows (in rank order) and the preset's weights.
 */
final class LeaderboardAnalysis {

    /** Weight perturbation, in weight units (10 points of 100). */
    static final double PERTURBATION = 0.10;

    private LeaderboardAnalysis() {
    }

    /** Smallest Kendall tau over the perturbations, whether the leader held, and how many were tried. */
    record RankStability(double kendallTauMin, boolean leaderStable, int perturbations) {
    }

    /**
     * For each factor k and each sign: w_k +/- 0.10 (clamped at 0), then all weights divided by
     * their sum; the rows re-scored as 100 sum w' norm (their normalized factors are unchanged)
     * and re-ranked (score desc, endpoint_id asc, as the leaderboard does). Null with fewer than 2
     * rows.
     */
    static RankStability rankStability(List<EndpointComposite> ranked, ScoringParams.Weights w) {
        if (ranked.size() < 2) {
            return null;
        }
        double[] base = {w.speed(), w.ttft(), w.price(), w.quality(), w.reliability()};
        List<String> order = ranked.stream().map(EndpointComposite::getEndpointId).toList();
        double tauMin = 1.0;
        boolean leaderStable = true;
        int count = 0;
        for (int k = 0; k < base.length; k++) {
            for (double sign : new double[] {1, -1}) {
                double[] p = base.clone();
                p[k] = Math.max(0.0, p[k] + sign * PERTURBATION);
                double sum = 0;
                for (double v : p) {
                    sum += v;
                }
                for (int i = 0; i < p.length; i++) {
                    p[i] /= sum;
                }
                List<String> perturbed = rank(ranked, p);
                tauMin = Math.min(tauMin, kendallTau(order, perturbed));
                leaderStable &= perturbed.get(0).equals(order.get(0));
                count++;
            }
        }
        return new RankStability(tauMin, leaderStable, count);
    }

    private static List<String> rank(List<EndpointComposite> rows, double[] w) {
        record Scored(String id, double score) {
        }
        List<Scored> scored = new ArrayList<>();
        for (EndpointComposite c : rows) {
            FactorScores f = c.getFactors();
            scored.add(new Scored(c.getEndpointId(), 100.0 * (w[0] * f.getSpeed() + w[1] * f.getTtft()
                    + w[2] * f.getPrice() + w[3] * f.getQuality() + w[4] * f.getReliability())));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::id));
        return scored.stream().map(Scored::id).toList();
    }

    /**
     * Kendall tau-a of two orders of the same ids: (concordant - discordant) / (n (n - 1) / 2).
     * Both are strict orders (ties broken by id), so tau-a and tau-b agree.
     */
    static double kendallTau(List<String> a, List<String> b) {
        int n = a.size();
        // positions by id through a map: b.indexOf per id made this quadratic in string comparisons
        java.util.Map<String, Integer> inB = new java.util.HashMap<>(2 * n);
        for (int i = 0; i < n; i++) {
            inB.put(b.get(i), i);
        }
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) {
            pos[i] = inB.get(a.get(i));
        }
        long concordant = 0;
        long discordant = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (pos[i] < pos[j]) {
                    concordant++;
                } else {
                    discordant++;
                }
            }
        }
        return (double) (concordant - discordant) / (n * (n - 1) / 2.0);
    }

    /** A point of a two-objective frontier; both coordinates "higher is better". */
    record Point(String id, double x, double y) {
    }

    /**
     * The non-dominated points (no other point at least as good on both and better on one),
     * ordered by x descending, then id. Equal points are all kept.
     */
    static List<String> frontier(List<Point> points) {
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(Point::x).reversed().thenComparing(Point::id));
        List<String> out = new ArrayList<>();
        for (Point p : sorted) {
            boolean dominated = false;
            for (Point q : points) {
                if (q.x() >= p.x() && q.y() >= p.y() && (q.x() > p.x() || q.y() > p.y())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                out.add(p.id());
            }
        }
        return out;
    }

    /** Accuracy (higher better) vs usd_per_correct (lower better); cheapest first. */
    static List<String> qualityCostFrontier(List<EndpointComposite> rows) {
        List<Point> points = new ArrayList<>();
        for (EndpointComposite c : rows) {
            if (c.getAccuracy() != null && c.getUsdPerCorrect() != null) {
                points.add(new Point(c.getEndpointId(), -c.getUsdPerCorrect(), c.getAccuracy()));
            }
        }
        return frontier(points);
    }

    /** Per-stream speed (interactivity) vs aggregate speed per replica (throughput); fastest stream first. */
    static List<String> throughputInteractivityFrontier(List<EndpointComposite> rows) {
        List<Point> points = new ArrayList<>();
        for (EndpointComposite c : rows) {
            if (c.getOutputTpsP50() != null && c.getAggregateOutputTps() != null) {
                points.add(new Point(c.getEndpointId(), c.getOutputTpsP50(), c.getAggregateOutputTps()));
            }
        }
        return frontier(points);
    }
}
