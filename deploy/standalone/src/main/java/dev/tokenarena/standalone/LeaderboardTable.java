package dev.tokenarena.standalone;

import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for the terminal: one leaderboard, or the alert list. */
final class LeaderboardTable {

    /** {@code fidelity_method} of an endpoint judged by the two-sample test on completions. */
    private static final String SAMPLE_TEST = "sample_test";

    private LeaderboardTable() {
    }

    static String render(LeaderboardSnapshot snapshot) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nLeaderboard preset=%s window=%s (%s .. %s) config=%s%n",
                snapshot.getPreset(), snapshot.getWindow(), Instant.ofEpochMilli(snapshot.getWindowStartMs()),
                Instant.ofEpochMilli(snapshot.getWindowEndMs()), snapshot.getConfigHash()));
        sb.append(String.format(Locale.ROOT, "%4s %-30s %6s %8s %8s %8s %8s %6s %9s %8s %9s %6s %-9s %8s%n",
                "rank", "endpoint", "score", "tok/s", "ttft50", "ttft99", "$/Mtok", "acc", "$/correct",
                "J/tok", "gCO2/Mt", "F", "status", "eff.ctx"));
        for (LeaderboardRow row : snapshot.getRows()) {
            EndpointComposite c = row.getComposite();
            sb.append(String.format(Locale.ROOT, "%4d %-30s %6.1f %8s %8s %8s %8s %6s %9s %8s %9s %6s %-9s %8s%n",
                    row.getRank(), c.getEndpointId(), c.getScore(), num(c.getOutputTpsP50(), 1),
                    num(c.getTtftMsP50(), 0), num(c.getTtftMsP99(), 0), num(c.getBlendedUsdPerMtok(), 3),
                    num(c.getAccuracy(), 3), num(c.getUsdPerCorrect(), 6), num(c.getJPerToken(), 3),
                    num(c.getGco2PerMtok(), 0), fidelity(c), c.getFidelityStatus(),
                    c.getEffectiveContextTokens() == null ? "-" : c.getEffectiveContextTokens().toString()));
        }
        for (LeaderboardRow row : snapshot.getRows()) {
            EndpointComposite c = row.getComposite();
            if (SAMPLE_TEST.equals(c.getFidelityMethod())) {
                sb.append(String.format(Locale.ROOT, "fidelity of %s (no logprobs, so no F): %s (sample test), MMD^2 %s over "
                        + "%d endpoint and %d reference completions%n", c.getEndpointId(), pValue(c.getFidelityPValue()),
                        num(c.getFidelityMmd2(), 4), c.getFidelityEndpointSamples(), c.getFidelityReferenceSamples()));
            }
        }
        for (LeaderboardRow row : snapshot.getRows()) {
            EndpointComposite c = row.getComposite();
            if (c.getSelfHostedUsdPerMtok() != null) {
                sb.append(String.format(Locale.ROOT, "self-hosted %s: %s USD per 1M output tokens from GPU-hours at %s tok/s "
                        + "measured (concurrency %s, %s); $/Mtok above is its %s%n", c.getEndpointId(),
                        num(c.getSelfHostedUsdPerMtok(), 2), num(c.getSelfHostedAggregateOutputTps(), 1),
                        c.getSelfHostedConcurrency(), sloText(c.getSelfHostedSloMet()),
                        "self_hosted".equals(c.getPriceBasis()) ? "blend of it" : "quoted token price"));
            }
        }
        if (snapshot.getRankStabilityKendallTauMin() != null) {
            sb.append(String.format(Locale.ROOT, "rank stability under +/-10-point weight changes (%d perturbations): "
                    + "min Kendall tau %.2f, leader %s%n", snapshot.getRankStabilityPerturbations(),
                    snapshot.getRankStabilityKendallTauMin(),
                    Boolean.TRUE.equals(snapshot.getLeaderStable()) ? "stable" : "changes"));
        }
        if (!snapshot.getFrontierQualityCost().isEmpty()) {
            sb.append("Pareto frontier, accuracy vs $/correct: ")
                    .append(String.join(", ", snapshot.getFrontierQualityCost())).append('\n');
        }
        if (!snapshot.getFrontierThroughputInteractivity().isEmpty()) {
            sb.append("Pareto frontier, throughput vs per-stream speed: ")
                    .append(String.join(", ", snapshot.getFrontierThroughputInteractivity())).append('\n');
        }
        return sb.toString();
    }

    /**
     * Per-endpoint latency detail of one snapshot: TTFV and TPOT beside TTFT, and TTFT p50 per
     * probe region (regions differ by network distance, not only by endpoint).
     */
    static String renderLatency(LeaderboardSnapshot snapshot) {
        java.util.SortedSet<String> regions = new java.util.TreeSet<>();
        snapshot.getRows().forEach(r -> regions.addAll(r.getComposite().getTtftMsP50ByRegion().keySet()));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nLatency detail (window %s, ms)%n", snapshot.getWindow()));
        sb.append(String.format(Locale.ROOT, "%-30s %8s %8s %8s %8s", "endpoint", "ttft50", "ttfv50", "tpot50", "e2e50"));
        regions.forEach(r -> sb.append(String.format(Locale.ROOT, " %14s", "ttft50@" + r)));
        sb.append(String.format(Locale.ROOT, " %9s%n", "eff.ctx"));
        snapshot.getRows().stream().map(LeaderboardRow::getComposite)
                .sorted(java.util.Comparator.comparing(EndpointComposite::getEndpointId)).forEach(c -> {
                    sb.append(String.format(Locale.ROOT, "%-30s %8s %8s %8s %8s", c.getEndpointId(), num(c.getTtftMsP50(), 0),
                            num(c.getTtfvMsP50(), 0), num(c.getTpotMsP50(), 1), num(c.getE2eMsP50(), 0)));
                    regions.forEach(r -> sb.append(String.format(Locale.ROOT, " %14s",
                            num(c.getTtftMsP50ByRegion().get(r), 0))));
                    sb.append(String.format(Locale.ROOT, " %9s%n",
                            c.getEffectiveContextTokens() == null ? "-" : c.getEffectiveContextTokens().toString()));
                });
        return sb.toString();
    }

    static String renderAlerts(List<DriftAlert> alerts) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nDrift alerts (%d)%n", alerts.size()));
        for (DriftAlert a : alerts) {
            sb.append(String.format(Locale.ROOT, "  %-8s %-12s %-30s at %s  %s%n", a.getState(), a.getKind(),
                    a.getEndpointId(), Instant.ofEpochMilli(a.getEventTimeMs()), a.getSummary()));
        }
        return sb.toString();
    }

    /** Probe agents per region: which share of the region's endpoints each one probed. */
    static String renderAgents(List<AgentTally.Share> shares, int regionEndpoints) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nProbe agents (%d endpoints per region)%n", regionEndpoints));
        sb.append(String.format(Locale.ROOT, "  %-14s %-22s %9s %8s  %s%n", "region", "agent", "endpoints", "results",
                "probed"));
        for (AgentTally.Share s : shares) {
            long peers = shares.stream().filter(o -> o.region().equals(s.region())).count();
            sb.append(String.format(Locale.ROOT, "  %-14s %-22s %9s %8d  %s%n", s.region(), s.agentId(),
                    s.endpoints().size() + "/" + regionEndpoints, s.results(),
                    peers == 1 ? "all (alone in its region)" : String.join(", ", s.endpoints())));
        }
        return sb.toString();
    }

    /** F, or for an endpoint without logprobs the sample test's p-value (F is null there by design). */
    static String fidelity(EndpointComposite c) {
        return SAMPLE_TEST.equals(c.getFidelityMethod()) ? pValue(c.getFidelityPValue()) : num(c.getFidelity(), 1);
    }

    private static String pValue(Double p) {
        return p == null ? "p=-" : String.format(Locale.ROOT, "p=%.2f", p);
    }

    private static String sloText(Boolean met) {
        return met == null ? "no latency target" : met ? "SLO met" : "SLO missed at every level";
    }

    private static String num(Double v, int decimals) {
        return v == null ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
