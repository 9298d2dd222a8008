package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.scoring.avro.AlertState;
import dev.tokenarena.scoring.avro.CanarySignal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CANARY_HASH: a canary whose latest consecutive_rounds answers are one and the same hash that
 * the reference endpoint never gave (in its latest reference_rounds answers) is deviant: a new
 * dominant answer. Response hashes only trigger a check: an endpoint that merely wavers between
 * answers the reference gives too (temperature-0 nondeterminism), or gives changing new answers,
 * is not deviant. A canary stops being deviant when its latest answer is one the reference gave.
 * Opens when some canary of the endpoint is deviant, resolves when none is. Without
 * min_reference_samples reference answers, no decision.
 */
final class CanaryDriftRule implements DriftRule<CanarySignal> {

    static final String KIND = "CANARY_HASH";
    static final String METRIC = "canary_consecutive_new_hash_rounds";
    static final String DEVIANT = "deviant:";

    private final ScoringParams.Canary t;

    CanaryDriftRule(ScoringParams params) {
        this.t = params.alerts().canary();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AlertState remember(CanarySignal s, AlertState state) {
        Map<String, List<String>> all = new HashMap<>(state.getCanaryHashes());
        List<String> hashes = new ArrayList<>(all.getOrDefault(s.getCanaryId(), List.of()));
        hashes.add(s.getResponseSha256());
        while (hashes.size() > t.historyRounds()) {
            hashes.remove(0);
        }
        all.put(s.getCanaryId(), hashes);
        Map<String, Double> values = new HashMap<>(state.getValues());
        String flag = DEVIANT + s.getCanaryId();
        if (s.getReferenceSamples() >= t.minReferenceSamples()) {
            if (newDominant(hashes, s) != null) {
                values.put(flag, 1.0);
            } else if (s.getReferenceVariants().contains(s.getResponseSha256())) {
                values.remove(flag);
            }
        }
        return AlertState.newBuilder(state).setCanaryHashes(all).setValues(values).build();
    }

    /** The hash of the last consecutive_rounds answers when they agree and the reference never gave it. */
    private String newDominant(List<String> hashes, CanarySignal s) {
        int k = t.consecutiveRounds();
        if (hashes.size() < k) {
            return null;
        }
        String last = hashes.get(hashes.size() - 1);
        for (int i = hashes.size() - k; i < hashes.size(); i++) {
            if (!hashes.get(i).equals(last)) {
                return null;
            }
        }
        return s.getReferenceVariants().contains(last) ? null : last;
    }

    @Override
    public Verdict judge(CanarySignal s, AlertState state) {
        if (s.getReferenceSamples() < t.minReferenceSamples()) {
            return new Inconclusive();
        }
        long deviant = state.getValues().keySet().stream().filter(k -> k.startsWith(DEVIANT)).count();
        List<String> hashes = state.getCanaryHashes().get(s.getCanaryId());
        if (deviant > 0) {
            String hash = newDominant(hashes, s);
            String summary = hash == null
                    ? String.format(Locale.ROOT, "%d canaries answer with a hash the reference never gave", deviant)
                    : String.format(Locale.ROOT, "canary %s: new answer %s for %d rounds in a row, not among the"
                            + " reference's %d variants", s.getCanaryId(), abbreviate(hash), t.consecutiveRounds(),
                            s.getReferenceVariants().size());
            return new Breach("warning", summary, evidence(s, hashes, hash, deviant));
        }
        return new Healthy(() -> String.format(Locale.ROOT, "canary %s answers as the reference does (%d variants)",
                s.getCanaryId(), s.getReferenceVariants().size()),
                () -> evidence(s, hashes, null, 0), null, null);
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    private AlertEvidence evidence(CanarySignal s, List<String> hashes, String newHash, long deviant) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("canary_id", s.getCanaryId());
        details.put("latest_hash", s.getResponseSha256());
        if (newHash != null) {
            details.put("new_dominant_hash", newHash);
        }
        String previous = previousDominant(hashes);
        if (previous != null) {
            details.put("previous_dominant_hash", previous);
        }
        details.put("reference_variants", String.join(",", s.getReferenceVariants()));
        details.put("deviant_canaries", Long.toString(deviant));
        int run = 0;
        for (int i = hashes.size() - 1; i >= 0 && hashes.get(i).equals(s.getResponseSha256()); i--) {
            run++;
        }
        return AlertEvidence.newBuilder().setMetric(METRIC).setCurrent((double) run)
                .setThreshold((double) t.consecutiveRounds()).setCurrentCount((long) hashes.size())
                .setBaseline((double) s.getReferenceVariants().size())
                .setBaselineCount((long) s.getReferenceSamples()).setStatistic((double) run)
                .setDetails(details).build();
    }

    /** The most frequent hash among the answers before the latest run (null when there are none). */
    private static String previousDominant(List<String> hashes) {
        int end = hashes.size() - 1;
        String last = hashes.get(end);
        while (end >= 0 && hashes.get(end).equals(last)) {
            end--;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i <= end; i++) {
            counts.merge(hashes.get(i), 1, Integer::sum);
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }
}
