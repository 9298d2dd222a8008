package dev.tokenarena.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FactorScores;
import dev.tokenarena.schemas.v1.LeaderboardRow;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A leaderboard snapshot as the published files (DESIGN section 9): the JSON document, fields in
 * the contract's order first and extra fields after them, and the same rows as CSV. Pure
 * functions of the snapshot, so tests check the exact output.
 */
final class SnapshotDocument {

    /** Row fields in the contract's order; {@code factors} is an object of {@link #FACTORS}. */
    static final List<String> CONTRACT_ROW_FIELDS = List.of("rank", "endpoint_id", "provider", "model", "sku",
            "region", "score", "factors", "output_tps_p50", "ttft_ms_p50", "ttft_ms_p99", "blended_usd_per_mtok",
            "accuracy", "usd_per_correct", "j_per_token", "j_per_correct", "gco2_per_mtok", "fidelity",
            "fidelity_status", "effective_context_tokens");
    /** Row fields after the contract's, for users who want the evidence behind the figures. */
    static final List<String> EXTRA_ROW_FIELDS = List.of("precision", "success_rate", "probe_count", "eval_count",
            "accuracy_ci_low", "accuracy_ci_high", "ttft_ms_p90", "ttfv_ms_p50", "tpot_ms_p50", "e2e_ms_p50",
            "tokens_to_solution", "usd_per_correct_measured", "j_per_token_low", "j_per_token_high", "kwh_per_mtok",
            "fidelity_noise_floor", "fidelity_prompts", "ttft_ms_p50_by_region",
            // Added after the first release: appended so existing CSV column positions stay put.
            "fidelity_method", "fidelity_p_value", "fidelity_mmd2", "fidelity_endpoint_samples",
            "fidelity_reference_samples", "aggregate_output_tps", "price_basis", "self_hosted_usd_per_mtok",
            "self_hosted_concurrency", "self_hosted_aggregate_output_tps", "self_hosted_slo_met");
    static final List<String> FACTORS = List.of("speed", "ttft", "price", "quality", "reliability");
    /** Snapshot-level columns repeated on every CSV row, so concatenated CSVs stay self-describing. */
    static final List<String> CSV_SNAPSHOT_COLUMNS = List.of("preset", "window", "generated_at", "config_hash");
    /**
     * Snapshot-level figures added after the first release: after the rows in the JSON, and as the
     * last CSV columns (repeated on every row) so existing column positions stay put.
     */
    static final List<String> RANK_STABILITY_FIELDS = List.of("rank_stability_kendall_tau_min", "leader_stable",
            "rank_stability_perturbations");
    static final List<String> CSV_COLUMNS = csvColumns();

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SnapshotDocument() {
    }

    private static List<String> csvColumns() {
        List<String> columns = new ArrayList<>(CSV_SNAPSHOT_COLUMNS);
        for (String field : CONTRACT_ROW_FIELDS) {
            if (field.equals("factors")) {
                FACTORS.forEach(f -> columns.add("factors." + f));
            } else {
                columns.add(field);
            }
        }
        columns.addAll(EXTRA_ROW_FIELDS);
        columns.addAll(RANK_STABILITY_FIELDS);
        return List.copyOf(columns);
    }

    /** The JSON document of a snapshot. */
    static ObjectNode json(LeaderboardSnapshot snapshot, Provenance provenance) {
        ObjectNode doc = F.objectNode();
        doc.put("preset", snapshot.getPreset());
        doc.put("window", snapshot.getWindow());
        doc.put("generated_at", iso(snapshot.getGeneratedAtMs()));
        doc.put("config_hash", snapshot.getConfigHash());
        ArrayNode rows = doc.putArray("rows");
        for (LeaderboardRow row : snapshot.getRows()) {
            rows.add(row(row));
        }
        doc.set("rank_stability_kendall_tau_min", number(snapshot.getRankStabilityKendallTauMin()));
        doc.set("leader_stable", bool(snapshot.getLeaderStable()));
        doc.put("rank_stability_perturbations", snapshot.getRankStabilityPerturbations());
        // Lists of endpoint ids: JSON only, since a CSV line is one endpoint and a cell holds no list.
        snapshot.getFrontierQualityCost().forEach(doc.putArray("frontier_quality_cost")::add);
        snapshot.getFrontierThroughputInteractivity().forEach(doc.putArray("frontier_throughput_interactivity")::add);
        ObjectNode p = doc.putObject("provenance");
        p.put("config_hash", snapshot.getConfigHash());
        p.put("window_start", iso(snapshot.getWindowStartMs()));
        p.put("window_end", iso(snapshot.getWindowEndMs()));
        p.put("generated_at_ms", snapshot.getGeneratedAtMs());
        p.put("schema_id", provenance.schemaId());
        p.put("registry_url", provenance.registryUrl());
        p.put("license", provenance.license());
        p.put("source_topic", provenance.sourceTopic());
        p.put("partition", provenance.partition());
        p.put("offset", provenance.offset());
        return doc;
    }

    private static ObjectNode row(LeaderboardRow row) {
        EndpointComposite c = row.getComposite();
        FactorScores f = c.getFactors();
        ObjectNode n = F.objectNode();
        n.put("rank", row.getRank());
        n.put("endpoint_id", c.getEndpointId());
        n.put("provider", c.getProvider());
        n.put("model", c.getModel());
        n.put("sku", c.getSku());
        n.put("region", c.getRegion());
        n.set("score", number(c.getScore()));
        ObjectNode factors = n.putObject("factors");
        factors.set("speed", number(f.getSpeed()));
        factors.set("ttft", number(f.getTtft()));
        factors.set("price", number(f.getPrice()));
        factors.set("quality", number(f.getQuality()));
        factors.set("reliability", number(f.getReliability()));
        n.set("output_tps_p50", number(c.getOutputTpsP50()));
        n.set("ttft_ms_p50", number(c.getTtftMsP50()));
        n.set("ttft_ms_p99", number(c.getTtftMsP99()));
        n.set("blended_usd_per_mtok", number(c.getBlendedUsdPerMtok()));
        n.set("accuracy", number(c.getAccuracy()));
        n.set("usd_per_correct", number(c.getUsdPerCorrect()));
        n.set("j_per_token", number(c.getJPerToken()));
        n.set("j_per_correct", number(c.getJPerCorrect()));
        n.set("gco2_per_mtok", number(c.getGco2PerMtok()));
        n.set("fidelity", number(c.getFidelity()));
        n.put("fidelity_status", c.getFidelityStatus());
        n.set("effective_context_tokens", count(c.getEffectiveContextTokens()));
        // Extras, after the contract's fields.
        n.put("precision", c.getPrecision());
        n.set("success_rate", number(c.getSuccessRate()));
        n.put("probe_count", c.getProbeCount());
        n.put("eval_count", c.getEvalCount());
        n.set("accuracy_ci_low", number(c.getAccuracyCiLow()));
        n.set("accuracy_ci_high", number(c.getAccuracyCiHigh()));
        n.set("ttft_ms_p90", number(c.getTtftMsP90()));
        n.set("ttfv_ms_p50", number(c.getTtfvMsP50()));
        n.set("tpot_ms_p50", number(c.getTpotMsP50()));
        n.set("e2e_ms_p50", number(c.getE2eMsP50()));
        n.set("tokens_to_solution", number(c.getTokensToSolution()));
        n.set("usd_per_correct_measured", number(c.getUsdPerCorrectMeasured()));
        n.set("j_per_token_low", number(c.getJPerTokenLow()));
        n.set("j_per_token_high", number(c.getJPerTokenHigh()));
        n.set("kwh_per_mtok", number(c.getKwhPerMtok()));
        n.set("fidelity_noise_floor", number(c.getFidelityNoiseFloor()));
        n.put("fidelity_prompts", c.getFidelityPrompts());
        ObjectNode byRegion = n.putObject("ttft_ms_p50_by_region");
        new TreeMap<>(c.getTtftMsP50ByRegion()).forEach((region, ms) -> byRegion.set(region.toString(), number(ms)));
        // Sample-only fidelity: F is null for endpoints without logprobs, so these are their verdict's evidence.
        n.put("fidelity_method", c.getFidelityMethod());
        n.set("fidelity_p_value", number(c.getFidelityPValue()));
        n.set("fidelity_mmd2", number(c.getFidelityMmd2()));
        n.put("fidelity_endpoint_samples", c.getFidelityEndpointSamples());
        n.put("fidelity_reference_samples", c.getFidelityReferenceSamples());
        n.set("aggregate_output_tps", number(c.getAggregateOutputTps()));
        // Self-hosted cost: says whether blended_usd_per_mtok is a quoted price or GPU-hours over throughput.
        n.set("price_basis", c.getPriceBasis() == null ? F.nullNode() : F.textNode(c.getPriceBasis()));
        n.set("self_hosted_usd_per_mtok", number(c.getSelfHostedUsdPerMtok()));
        n.set("self_hosted_concurrency", count(c.getSelfHostedConcurrency()));
        n.set("self_hosted_aggregate_output_tps", number(c.getSelfHostedAggregateOutputTps()));
        n.set("self_hosted_slo_met", bool(c.getSelfHostedSloMet()));
        return n;
    }

    /** Missing figures and non-finite doubles are JSON null: a NaN would make the file unparseable. */
    private static JsonNode number(Double value) {
        return value == null || value.isNaN() || value.isInfinite() ? F.nullNode() : F.numberNode(value);
    }

    private static JsonNode count(Number value) {
        return value == null ? F.nullNode() : F.numberNode(value.longValue());
    }

    private static JsonNode bool(Boolean value) {
        return value == null ? F.nullNode() : F.booleanNode(value);
    }

    static String iso(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** The document as pretty-printed UTF-8 JSON with a final newline. */
    static byte[] jsonBytes(ObjectNode doc) {
        try {
            return (PRETTY.writeValueAsString(doc) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a snapshot document", e);
        }
    }

    /**
     * The rows as RFC 4180 CSV: a header of {@link #CSV_COLUMNS}, one line per row, numbers as in
     * the JSON, empty cells for nulls, {@code region=ms;...} for the per-region map. The
     * Pareto frontiers stay JSON-only.
     */
    static byte[] csvBytes(ObjectNode doc) {
        StringBuilder sb = new StringBuilder();
        sb.append(CSV_COLUMNS.stream().map(SnapshotDocument::csvCell).collect(Collectors.joining(","))).append("\r\n");
        for (JsonNode row : doc.get("rows")) {
            List<String> cells = new ArrayList<>(CSV_COLUMNS.size());
            for (String column : CSV_COLUMNS) {
                JsonNode value = CSV_SNAPSHOT_COLUMNS.contains(column) || RANK_STABILITY_FIELDS.contains(column)
                        ? doc.get(column)
                        : column.startsWith("factors.") ? row.get("factors").get(column.substring("factors.".length()))
                        : row.get(column);
                cells.add(csvCell(text(value)));
            }
            sb.append(String.join(",", cells)).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        if (value.isObject()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                parts.add(e.getKey() + "=" + text(e.getValue()));
            }
            return String.join(";", parts);
        }
        return value.asText();
    }

    private static String csvCell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
