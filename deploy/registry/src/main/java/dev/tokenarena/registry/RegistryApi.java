package dev.tokenarena.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import dev.tokenarena.schemas.registry.CompatibilityResult;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent REST routes this registry serves, as a pure function from (method, URI, body) to
 * a status and a JSON body, so every route is tested without sockets. The Netty handler only
 * moves bytes.
 */
final class RegistryApi {

    /** One answer: HTTP status and the JSON text of the body. */
    record Response(int status, String body) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RegistryApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;

    RegistryApi(SchemaStore store) {
        this.store = store;
    }

    Response handle(String method, String uri, String body) {
        try {
            return route(method, uri, body);
        } catch (RegistryError e) {
            return error(e.status(), e.errorCode(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, uri, e);
            return error(500, 50001, "Error in the backend data store: " + e);
        }
    }

    static Response error(int status, int code, String message) {
        return new Response(status, JSON.createObjectNode().put("error_code", code).put("message", message).toString());
    }

    private Response route(String method, String uri, String body) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : uri.substring(q + 1));
        List<String> p = segments(rawPath);
        int n = p.size();

        if (n == 0) {
            return get(method, () -> JSON.createObjectNode());
        }
        switch (p.get(0)) {
            case "subjects" -> {
                if (n == 1) {
                    return get(method, () -> array(store.state().subjects(flag(query, "deleted"))));
                }
                String subject = p.get(1);
                if (n == 2) {
                    if (method.equals("POST")) {
                        SchemaState.Version found = store.lookup(subject, schemaText(body));
                        return ok(versionJson(found));
                    }
                    if (method.equals("DELETE")) {
                        return ok(array(store.deleteSubject(subject, flag(query, "permanent"))));
                    }
                    return notAllowed();
                }
                if (!p.get(2).equals("versions")) {
                    return notFound();
                }
                if (n == 3) {
                    if (method.equals("POST")) {
                        int id = store.register(subject, schemaText(body));
                        return ok(JSON.createObjectNode().put("id", id));
                    }
                    return get(method, () -> {
                        List<SchemaState.Version> live = store.state().liveVersions(subject);
                        if (live.isEmpty()) {
                            throw RegistryError.subjectNotFound(subject);
                        }
                        return array(live.stream().map(SchemaState.Version::version).toList());
                    });
                }
                if (n == 4) {
                    return get(method, () -> versionJson(store.version(subject, p.get(3))));
                }
                if (n == 5 && p.get(4).equals("schema")) {
                    return get(method, () -> parseJson(store.version(subject, p.get(3)).text()));
                }
                return notFound();
            }
            case "schemas" -> {
                if (n == 2 && p.get(1).equals("types")) {
                    return get(method, () -> JSON.createArrayNode().add("AVRO"));
                }
                if (n >= 3 && n <= 4 && p.get(1).equals("ids")) {
                    int id = parseId(p.get(2));
                    if (n == 3) {
                        return get(method, () -> JSON.createObjectNode().put("schema", byId(id).text()));
                    }
                    if (p.get(3).equals("versions")) {
                        return get(method, () -> {
                            byId(id);
                            ArrayNode out = JSON.createArrayNode();
                            store.state().usesOf(id).forEach(v -> out.addObject()
                                    .put("subject", v.subject()).put("version", v.version()));
                            return out;
                        });
                    }
                }
                return notFound();
            }
            case "compatibility" -> {
                if (n >= 4 && n <= 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
                    if (!method.equals("POST")) {
                        return notAllowed();
                    }
                    CompatibilityResult result = store.testCompatibility(p.get(2), n == 5 ? p.get(4) : null,
                            schemaText(body));
                    ObjectNode out = JSON.createObjectNode().put("is_compatible", result.compatible());
                    if (flag(query, "verbose")) {
                        ArrayNode messages = out.putArray("messages");
                        result.messages().forEach(messages::add);
                    }
                    return ok(out);
                }
                return notFound();
            }
            case "config" -> {
                if (n > 2) {
                    return notFound();
                }
                String subject = n == 2 ? p.get(1) : null;
                switch (method) {
                    case "GET" -> {
                        AvroCompatibility.Level level = subject == null ? store.state().globalLevel()
                                : store.state().subjectLevel(subject).orElseGet(() -> {
                                    if (flag(query, "defaultToGlobal")) {
                                        return store.state().globalLevel();
                                    }
                                    throw RegistryError.subjectLevelNotConfigured(subject);
                                });
                        return ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
                    }
                    case "PUT" -> {
                        AvroCompatibility.Level level = level(body);
                        store.setLevel(subject, level);
                        return ok(JSON.createObjectNode().put("compatibility", level.name()));
                    }
                    case "DELETE" -> {
                        if (subject == null) {
                            return notAllowed();
                        }
                        return ok(JSON.createObjectNode().put("compatibilityLevel", store.clearLevel(subject).name()));
                    }
                    default -> {
                        return notAllowed();
                    }
                }
            }
            default -> {
                return notFound();
            }
        }
    }

    private interface Body {
        JsonNode get();
    }

    private static Response get(String method, Body body) {
        return method.equals("GET") ? ok(body.get()) : notAllowed();
    }

    private static Response ok(JsonNode body) {
        return new Response(200, body.toString());
    }

    private static Response notFound() {
        return error(404, 404, "HTTP 404 Not Found");
    }

    private static Response notAllowed() {
        return error(405, 405, "HTTP 405 Method Not Allowed");
    }

    private SchemaState.Version byId(int id) {
        return store.state().byId(id).orElseThrow(() -> RegistryError.schemaNotFound("Schema " + id));
    }

    private static ObjectNode versionJson(SchemaState.Version v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.text());
    }

    /** The "schema" field of a request body; anything else is the client's mistake, answered as 42201. */
    private static String schemaText(String body) {
        JsonNode node = parseBody(body);
        String type = node.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw RegistryError.invalidSchema("schemaType '" + type + "' is not supported; this registry stores AVRO only");
        }
        JsonNode references = node.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw RegistryError.invalidSchema("schema references are not supported; inline the referenced types");
        }
        JsonNode schema = node.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryError.invalidSchema("the request body needs a \"schema\" string");
        }
        return schema.asText();
    }

    private static AvroCompatibility.Level level(String body) {
        JsonNode node = parseBody(body);
        JsonNode level = node.get("compatibility");
        if (level == null) {
            level = node.get("compatibilityLevel");
        }
        if (level == null || !level.isTextual()) {
            throw RegistryError.invalidCompatibility("the request body needs a \"compatibility\" string");
        }
        try {
            return AvroCompatibility.Level.parse(level.asText());
        } catch (IllegalArgumentException e) {
            throw RegistryError.invalidCompatibility("Invalid compatibility level: " + e.getMessage());
        }
    }

    private static JsonNode parseBody(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw RegistryError.invalidSchema("the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw RegistryError.invalidSchema("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode parseJson(String stored) {
        try {
            return JSON.readTree(stored);
        } catch (IOException e) {
            throw new IllegalStateException("stored schema is not JSON", e);
        }
    }

    private static int parseId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("Schema " + text);
        }
    }

    private static ArrayNode array(List<?> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(v -> {
            if (v instanceof Integer i) {
                out.add(i);
            } else {
                out.add(String.valueOf(v));
            }
        });
        return out;
    }

    /** Splits before decoding, so a subject holding an encoded '/' stays one segment. */
    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(decode(s));
            }
        }
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            out.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static boolean flag(Map<String, String> query, String name) {
        return "true".equalsIgnoreCase(query.get(name));
    }

    private static String decode(String s) {
        try {
            // '+' is a literal plus in a path; URLDecoder would turn it into a space.
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RegistryError(400, 400, "malformed percent-encoding in '" + s + "'");
        }
    }
}
