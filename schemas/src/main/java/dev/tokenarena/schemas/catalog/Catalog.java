package dev.tokenarena.schemas.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The endpoint catalogue (DESIGN section 2): YAML in, validated {@link CatalogEntry}s out.
 * Every error is one line naming the file, the entry and the field, so a user can fix it at once.
 */
public record Catalog(List<CatalogEntry> endpoints) {

    /** Conservative energy defaults: when a provider discloses nothing, assume more energy, not less. */
    static final CatalogEntry.Energy CONSERVATIVE = new CatalogEntry.Energy(
            "H100-SXM", 8, 700.0, 0.7, 1.4, 0.0, 16, "server", false, List.of());

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public Catalog {
        endpoints = List.copyOf(endpoints);
    }

    /** Loads and validates a catalogue file. */
    public static Catalog load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CatalogException(file + ": catalogue file not found");
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new CatalogException(file + ": cannot read catalogue: " + e.getMessage(), e);
        }
    }

    /** Parses and validates catalogue YAML; {@code source} names it in errors. */
    public static Catalog parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new CatalogException(source + ": not valid YAML: " + msg, e);
        }
        if (root == null || !root.has("endpoints") || !root.get("endpoints").isArray()) {
            throw new CatalogException(source + ": missing required field 'endpoints' (a list of endpoints)");
        }
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonNode node : root.get("endpoints")) {
            Reader r = new Reader(source, index, node);
            CatalogEntry entry = r.entry();
            if (!ids.add(entry.id())) {
                throw new CatalogException(source + ": endpoints[" + index + "]: duplicate id '" + entry.id() + "'");
            }
            entries.add(entry);
            index++;
        }
        if (entries.isEmpty()) {
            throw new CatalogException(source + ": 'endpoints' is empty");
        }
        return new Catalog(entries);
    }

    /** Reads one entry, naming the field in every error. */
    private static final class Reader {
        private final String where;
        private final JsonNode node;

        Reader(String source, int index, JsonNode node) {
            String id = node.hasNonNull("id") ? " (id=" + node.get("id").asText() + ")" : "";
            this.where = source + ": endpoints[" + index + "]" + id;
            this.node = node;
        }

        CatalogEntry entry() {
            if (!node.isObject()) {
                throw fail("", "must be a mapping of fields");
            }
            String protocol = text(node, "protocol", null);
            if (!CatalogEntry.PROTOCOLS.contains(protocol)) {
                throw fail("protocol", "is '" + protocol + "'; valid: " + CatalogEntry.PROTOCOLS);
            }
            String baseUrl = text(node, "base_url", null);
            if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
                throw fail("base_url", "must start with http:// or https://");
            }
            int context = (int) number(node, "context_tokens", null, 1, Integer.MAX_VALUE);
            CatalogEntry.SelfHosted selfHosted = selfHosted();
            // A self-hosted endpoint may quote no token price: scoring prices it from GPU-hours.
            if (selfHosted == null && !node.hasNonNull("price")) {
                throw fail("price", "missing required field (a self-hosted endpoint may give"
                        + " self_hosted: {gpu_hour_usd, gpus} instead)");
            }
            CatalogEntry.Price p = node.hasNonNull("price") ? price(object(node, "price", true)) : null;
            return new CatalogEntry(
                    text(node, "id", null), text(node, "provider", null), text(node, "model", null),
                    text(node, "sku", null), text(node, "precision", null),
                    optText(node, "decoding", "default"), text(node, "region", null),
                    text(node, "grid_zone", null), protocol, baseUrl, text(node, "model_name", null),
                    optText(node, "api_key_env", null), node.path("reference").asBoolean(false), context,
                    node.path("logprobs").asBoolean(false), p, energy(object(node, "energy", false)), selfHosted);
        }

        private CatalogEntry.Price price(JsonNode price) {
            return new CatalogEntry.Price(
                    number(price, "input_usd_per_mtok", "price.", 0, 1e6),
                    number(price, "output_usd_per_mtok", "price.", 0, 1e6),
                    price.hasNonNull("cached_input_usd_per_mtok")
                            ? number(price, "cached_input_usd_per_mtok", "price.", 0, 1e6) : null,
                    price.hasNonNull("batch_discount") ? number(price, "batch_discount", "price.", 0, 0.999) : 0.0);
        }

        /** The optional self_hosted block; both fields are required once the block is there. */
        private CatalogEntry.SelfHosted selfHosted() {
            if (!node.hasNonNull("self_hosted")) {
                return null;
            }
            JsonNode sh = object(node, "self_hosted", true);
            List<String> unknown = new ArrayList<>();
            sh.fieldNames().forEachRemaining(f -> {
                if (!List.of("gpu_hour_usd", "gpus").contains(f)) {
                    unknown.add(f);
                }
            });
            if (!unknown.isEmpty()) {
                throw fail("self_hosted", "unknown field(s) " + unknown + "; valid: gpu_hour_usd, gpus");
            }
            // A GPU-hour of 0 would price every token at 0: refuse it rather than rank a free endpoint.
            double gpuHour = number(sh, "gpu_hour_usd", "self_hosted.", 0.0001, 10_000);
            double gpus = number(sh, "gpus", "self_hosted.", 1, 100_000);
            if (gpus != Math.rint(gpus)) {
                throw fail("self_hosted.gpus", "is " + gpus + "; must be a whole number of GPUs");
            }
            return new CatalogEntry.SelfHosted(gpuHour, (int) gpus);
        }

        private CatalogEntry.Energy energy(JsonNode e) {
            List<String> assumed = new ArrayList<>();
            CatalogEntry.Energy d = CONSERVATIVE;
            String accelerator = e.hasNonNull("accelerator") ? e.get("accelerator").asText() : mark(assumed, "accelerator", d.accelerator());
            int count = e.hasNonNull("count") ? (int) number(e, "count", "energy.", 1, 4096) : mark(assumed, "count", d.count());
            double tdp = e.hasNonNull("tdp_w") ? number(e, "tdp_w", "energy.", 1, 100_000) : mark(assumed, "tdp_w", d.tdpW());
            double u = e.hasNonNull("utilization") ? number(e, "utilization", "energy.", 0.01, 1.0) : mark(assumed, "utilization", d.utilization());
            double pue = e.hasNonNull("pue") ? number(e, "pue", "energy.", 1.0, 3.0) : mark(assumed, "pue", d.pue());
            double sparsity = e.hasNonNull("sparsity") ? number(e, "sparsity", "energy.", 0.0, 0.99) : mark(assumed, "sparsity", d.sparsity());
            int streams = e.hasNonNull("streams_per_replica") ? (int) number(e, "streams_per_replica", "energy.", 1, 100_000) : mark(assumed, "streams_per_replica", d.streamsPerReplica());
            String boundary = e.hasNonNull("boundary") ? e.get("boundary").asText() : mark(assumed, "boundary", d.boundary());
            if (!List.of("chip", "server", "rack", "facility").contains(boundary)) {
                throw fail("energy.boundary", "is '" + boundary + "'; valid: chip, server, rack, facility");
            }
            boolean disclosed = e.path("disclosed").asBoolean(false);
            return new CatalogEntry.Energy(accelerator, count, tdp, u, pue, sparsity, streams, boundary, disclosed, assumed);
        }

        private static <T> T mark(List<String> assumed, String field, T value) {
            assumed.add(field);
            return value;
        }

        private JsonNode object(JsonNode parent, String field, boolean required) {
            JsonNode v = parent.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    throw fail(field, "missing required field");
                }
                return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            }
            if (!v.isObject()) {
                throw fail(field, "must be a mapping");
            }
            return v;
        }

        private String text(JsonNode parent, String field, String prefix) {
            JsonNode v = parent.get(field);
            String name = (prefix == null ? "" : prefix) + field;
            if (v == null || v.isNull() || v.asText().isBlank()) {
                throw fail(name, "missing required field");
            }
            if (!v.isValueNode()) {
                throw fail(name, "must be a single value");
            }
            return v.asText().trim();
        }

        private static String optText(JsonNode parent, String field, String dflt) {
            JsonNode v = parent.get(field);
            return v == null || v.isNull() || v.asText().isBlank() ? dflt : v.asText().trim();
        }

        private double number(JsonNode parent, String field, String prefix, double min, double max) {
            JsonNode v = parent.get(field);
            String name = (prefix == null ? "" : prefix) + field;
            if (v == null || v.isNull()) {
                throw fail(name, "missing required field");
            }
            if (!v.isNumber()) {
                throw fail(name, "must be a number, got '" + v.asText() + "'");
            }
            double d = v.asDouble();
            if (d < min || d > max || Double.isNaN(d)) {
                throw fail(name, "is " + d + "; must be within [" + min + ", " + max + "]");
            }
            return d;
        }

        private CatalogException fail(String field, String what) {
            return new CatalogException(where + (field.isEmpty() ? "" : ": field '" + field + "'") + ": " + what);
        }
    }
}
