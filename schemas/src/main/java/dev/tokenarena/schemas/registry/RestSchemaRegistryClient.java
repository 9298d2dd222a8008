package dev.tokenarena.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A {@link SchemaRegistryClient} speaking the Confluent Schema Registry REST API over the JDK
 * HTTP client, so the same code works against Confluent, Karapace, Redpanda, Apicurio's ccompat
 * API and our embedded registry.
 *
 * <p>Caching: ids are global and immutable in every compatible registry, so id to schema and
 * (subject, schema) to id are cached forever (up to {@value #MAX_CACHE_ENTRIES} entries each).
 * {@code latest}, {@code testCompatibility} and {@code subjects} change over time and are never
 * cached, and neither is any error, so a transient failure is retried by the next call.
 *
 * <p>Credentials: {@code http://user:password@host:8081} sends HTTP basic auth. The userinfo is
 * removed from {@link #url()}, from every error message and from {@link #toString()}, so the
 * password cannot leak through logs or exceptions.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** The media type of the Confluent API. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** Default time to open a TCP connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default time for one request, from sending to the full response. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Responses larger than this are refused: a schema is kilobytes, a proxy's error page must not fill the heap. */
    public static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
    /** Cap per cache; schemas are few, the cap only guards against a caller generating schemas in a loop. */
    public static final int MAX_CACHE_ENTRIES = 10_000;

    // Same preference order as Confluent's own client, so registries that negotiate still answer JSON.
    private static final String ACCEPT = CONTENT_TYPE
            + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_BODY_IN_MESSAGE = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final String user;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();

    /** A client with the default timeouts; {@code url} may carry {@code user:password@}. */
    public RestSchemaRegistryClient(String url) {
        this(url, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * A client with explicit timeouts.
     *
     * @param url base URL of the registry, e.g. {@code http://localhost:8081} or
     *            {@code https://user:secret@registry.example/apis/ccompat/v7}
     * @param connectTimeout time to open a connection
     * @param requestTimeout time for one request to complete
     */
    public RestSchemaRegistryClient(String url, Duration connectTimeout, Duration requestTimeout) {
        Objects.requireNonNull(url, "url");
        this.requestTimeout = positive(requestTimeout, "requestTimeout");
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            // The raw input may hold a password: name the problem, not the value.
            throw new IllegalArgumentException("schema registry URL is not a valid URI (" + e.getReason()
                    + " at index " + e.getIndex() + ")");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("schema registry URL must be http(s)://host[:port][/path], got scheme "
                    + scheme + " and host " + uri.getHost());
        }
        this.baseUrl = redact(uri);
        String userInfo = uri.getUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            this.user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                    userInfo.getBytes(StandardCharsets.UTF_8));
        } else {
            this.user = null;
            this.authorization = null;
        }
        this.http = HttpClient.newBuilder()
                .connectTimeout(positive(connectTimeout, "connectTimeout"))
                // HTTP/1.1 only: an h2c upgrade attempt on plain http confuses some proxies and registries.
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The registry's base URL, without credentials. */
    public String url() {
        return baseUrl;
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String op = "register subject '" + subject + "'";
        JsonNode answer = send(op, "POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(answer, "id", op);
        remember(key, id, schema);
        return id;
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        String op = "look up schema under subject '" + subject + "'";
        JsonNode answer;
        try {
            answer = send(op, "POST", "/subjects/" + segment(subject), schemaBody(schema));
        } catch (SchemaRegistryException e) {
            // Only the two documented "not there" answers mean absent; any other 404 (wrong base path) is an error.
            if (e.status() == 404 && (e.errorCode() == 40401 || e.errorCode() == 40403)) {
                return Optional.empty();
            }
            throw e;
        }
        int id = requiredInt(answer, "id", op);
        int version = requiredInt(answer, "version", op);
        remember(new SubjectSchema(subject, schema), id, schema);
        return Optional.of(new RegisteredSchema(subject, id, version, schema));
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        String op = "fetch schema id " + id;
        JsonNode answer = send(op, "GET", "/schemas/ids/" + id, null);
        Schema schema = parse(answer, op);
        if (schemaById.size() < MAX_CACHE_ENTRIES) {
            schemaById.putIfAbsent(id, schema);
        }
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        String op = "fetch latest version of subject '" + subject + "'";
        JsonNode answer = send(op, "GET", "/subjects/" + segment(subject) + "/versions/latest", null);
        Schema schema = parse(answer, op);
        int id = requiredInt(answer, "id", op);
        if (schemaById.size() < MAX_CACHE_ENTRIES) {
            schemaById.putIfAbsent(id, schema);
        }
        return new RegisteredSchema(subject, id, requiredInt(answer, "version", op), schema);
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        String op = "test compatibility of subject '" + subject + "'";
        JsonNode answer;
        try {
            answer = send(op, "POST", "/compatibility/subjects/" + segment(subject) + "/versions/latest?verbose=true",
                    schemaBody(schema));
        } catch (SchemaRegistryException e) {
            // Older Confluent versions answer 404 for a subject with no versions; nothing to be incompatible with,
            // which is also what InMemorySchemaRegistry and newer registries say.
            if (e.status() == 404 && (e.errorCode() == 40401 || e.errorCode() == 40402)) {
                return CompatibilityResult.ok();
            }
            throw e;
        }
        JsonNode flag = answer.get("is_compatible");
        if (flag == null || !flag.isBoolean()) {
            throw malformed(op, "no boolean 'is_compatible'");
        }
        if (flag.booleanValue()) {
            return CompatibilityResult.ok();
        }
        List<String> messages = new ArrayList<>();
        JsonNode list = answer.get("messages");
        if (list != null && list.isArray()) {
            list.forEach(m -> messages.add(m.asText()));
        }
        return CompatibilityResult.incompatible(messages);
    }

    @Override
    public List<String> subjects() {
        String op = "list subjects";
        JsonNode answer = send(op, "GET", "/subjects", null);
        if (!answer.isArray()) {
            throw malformed(op, "expected a JSON array");
        }
        List<String> subjects = new ArrayList<>(answer.size());
        answer.forEach(s -> subjects.add(s.asText()));
        return List.copyOf(subjects);
    }

    /** Sets the compatibility level of one subject ({@code PUT /config/{subject}}). */
    public void setCompatibility(String subject, AvroCompatibility.Level level) {
        String op = "set compatibility of subject '" + subject + "' to " + level;
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        send(op, "PUT", "/config/" + segment(subject), body);
    }

    @Override
    public String toString() {
        // Never the password; the user name helps tell two configured registries apart.
        return "RestSchemaRegistryClient{url=" + baseUrl + (user == null ? "" : ", basicAuthUser=" + user) + "}";
    }

    private void remember(SubjectSchema key, int id, Schema schema) {
        if (idBySubjectSchema.size() < MAX_CACHE_ENTRIES) {
            idBySubjectSchema.putIfAbsent(key, id);
        }
        if (schemaById.size() < MAX_CACHE_ENTRIES) {
            schemaById.putIfAbsent(id, schema);
        }
    }

    private static ObjectNode schemaBody(Schema schema) {
        // schemaType is left out for AVRO: it is the default, and older registries reject the field.
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private JsonNode send(String op, String method, String pathAndQuery, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
            request.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<InputStream> response;
        byte[] bytes;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            bytes = readBounded(response.body(), op);
        } catch (HttpConnectTimeoutException e) {
            throw new SchemaRegistryException(op + ": schema registry unreachable at " + baseUrl
                    + " (no connection within the connect timeout)", e);
        } catch (ConnectException e) {
            throw new SchemaRegistryException(op + ": schema registry unreachable at " + baseUrl
                    + " (" + describe(e) + ")", e);
        } catch (HttpTimeoutException e) {
            throw new SchemaRegistryException(op + " at " + baseUrl + ": no answer within "
                    + requestTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new SchemaRegistryException(op + " at " + baseUrl + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(op + " at " + baseUrl + ": interrupted", e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw error(op, status, bytes);
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw malformed(op, "HTTP " + status + " with a body that is not JSON: " + snippet(bytes));
        }
    }

    private SchemaRegistryException error(String op, int status, byte[] bytes) {
        int code = -1;
        String message = null;
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node != null && node.isObject()) {
                code = node.path("error_code").asInt(-1);
                message = node.hasNonNull("message") ? node.get("message").asText() : null;
            }
        } catch (IOException notJson) {
            // A proxy or load balancer answered; its body is still worth showing, shortened.
        }
        String detail = message != null ? message : snippet(bytes);
        return new SchemaRegistryException(op + " at " + baseUrl + ": HTTP " + status
                + (code >= 0 ? " error_code " + code : "") + ": " + detail, status, code);
    }

    private SchemaRegistryException malformed(String op, String what) {
        return new SchemaRegistryException(op + " at " + baseUrl + ": unexpected answer: " + what, -1, -1);
    }

    private int requiredInt(JsonNode answer, String field, String op) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw malformed(op, "no integer '" + field + "' in " + snippet(answer.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return value.intValue();
    }

    private Schema parse(JsonNode answer, String op) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw malformed(op, "schemaType " + type + " is not supported (TokenArena uses AVRO only)");
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw malformed(op, "no 'schema' string");
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw malformed(op, "the registry's schema does not parse as Avro: " + e.getMessage());
        }
    }

    private byte[] readBounded(InputStream in, String op) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new SchemaRegistryException(op + " at " + baseUrl + ": response larger than "
                        + MAX_RESPONSE_BYTES + " bytes refused", -1, -1);
            }
            return bytes;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String snippet(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "(empty body)";
        }
        return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    /** Percent-encodes one path segment; subjects may hold '/', '+', spaces or non-ASCII. */
    private static String segment(String value) {
        Objects.requireNonNull(value, "subject");
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String redact(URI uri) {
        StringBuilder out = new StringBuilder();
        out.append(uri.getScheme().toLowerCase(Locale.ROOT)).append("://").append(hostPort(uri));
        String path = uri.getRawPath();
        if (path != null) {
            out.append(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        }
        return out.toString();
    }

    private static String hostPort(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return "";
        }
        return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
        return d;
    }

    /** Cache key: Avro's Schema equality is structural, so two parses of one text hit the same entry. */
    private record SubjectSchema(String subject, Schema schema) {
    }
}
