package dev.tokenarena.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"ttft_ms\",\"type\":\"double\"}]}");
    private static final String SCHEMA_JSON_STRING;
    private static final String SUBJECT = "arena.probe.results.v1-value";
    private static final String CANARY_PASSWORD = "canary-s3cret-pw";

    static {
        try {
            SCHEMA_JSON_STRING = JSON.writeValueAsString(SCHEMA.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private FakeRegistryHttp fake;

    @BeforeEach
    void start() throws IOException {
        fake = new FakeRegistryHttp();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void shouldPostSchemaWithConfluentContentTypeAndNoSchemaTypeWhenRegisteringAvro() throws IOException {
        fake.on("POST", "/subjects/" + SUBJECT + "/versions", 200, "{\"id\":7}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(7, client.register(SUBJECT, SCHEMA));

        FakeRegistryHttp.Recorded request = fake.requests.get(0);
        assertEquals("application/vnd.schemaregistry.v1+json", request.contentType());
        JsonNode body = JSON.readTree(request.body());
        assertEquals(SCHEMA.toString(), body.get("schema").asText());
        assertFalse(body.has("schemaType"), "AVRO is the default; older registries refuse the field");
    }

    @Test
    void shouldNotCallRegistryAgainWhenRegisteringSameSchemaTwice() {
        fake.on("POST", "/subjects/" + SUBJECT + "/versions", 200, "{\"id\":7}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        client.register(SUBJECT, SCHEMA);
        // a second parse of the same text is an equal Schema, so it must hit the cache too
        client.register(SUBJECT, new Schema.Parser().parse(SCHEMA.toString()));

        assertEquals(1, fake.count("POST", "/subjects/" + SUBJECT + "/versions"));
    }

    @Test
    void shouldAnswerSchemaByIdFromCacheWhenAlreadyRegistered() {
        fake.on("POST", "/subjects/" + SUBJECT + "/versions", 200, "{\"id\":7}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        client.register(SUBJECT, SCHEMA);

        assertEquals(SCHEMA, client.schemaById(7));
        assertEquals(0, fake.count("GET", "/schemas/ids/7"));
    }

    @Test
    void shouldFetchSchemaByIdOnceWhenCalledTwice() {
        fake.on("GET", "/schemas/ids/3", 200, "{\"schema\":" + SCHEMA_JSON_STRING + "}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(SCHEMA, client.schemaById(3));
        assertEquals(SCHEMA, client.schemaById(3));

        assertEquals(1, fake.count("GET", "/schemas/ids/3"));
    }

    @Test
    void shouldAskAgainWhenPreviousCallFailed() {
        fake.on("GET", "/schemas/ids/3", 500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}")
                .on("GET", "/schemas/ids/3", 200, "{\"schema\":" + SCHEMA_JSON_STRING + "}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        SchemaRegistryException first = assertThrows(SchemaRegistryException.class, () -> client.schemaById(3));
        assertEquals(50001, first.errorCode());
        assertEquals(SCHEMA, client.schemaById(3));

        assertEquals(2, fake.count("GET", "/schemas/ids/3"));
    }

    @Test
    void shouldNameOperationSubjectUrlAndRegistryAnswerWhenRegistrationIsIncompatible() {
        fake.on("POST", "/subjects/" + SUBJECT + "/versions", 409,
                "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(SUBJECT, SCHEMA));

        assertEquals("register subject '" + SUBJECT + "' at " + fake.url()
                + ": HTTP 409 error_code 409: Schema being registered is incompatible with an earlier schema", e.getMessage());
        assertEquals(409, e.status());
        assertEquals(409, e.errorCode());
    }

    @Test
    void shouldNameIdAndCodeWhenSchemaIdIsUnknown() {
        fake.on("GET", "/schemas/ids/99", 404, "{\"error_code\":40403,\"message\":\"Schema 99 not found\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(99));

        assertEquals("fetch schema id 99 at " + fake.url() + ": HTTP 404 error_code 40403: Schema 99 not found",
                e.getMessage());
        assertEquals(40403, e.errorCode());
    }

    @Test
    void shouldShowShortenedBodyWhenErrorIsNotJson() {
        String html = "<html><body>" + "x".repeat(500) + "</body></html>";
        fake.on("GET", "/subjects", 502, html);
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, client::subjects);

        assertTrue(e.getMessage().startsWith("list subjects at " + fake.url() + ": HTTP 502: <html><body>xxx"),
                e.getMessage());
        // 200 characters of body plus "..." keep a proxy page from flooding the log
        assertTrue(e.getMessage().endsWith("x...") && e.getMessage().length() < 300, e.getMessage());
        assertEquals(-1, e.errorCode());
    }

    @Test
    void shouldReturnEmptyWhenLookupAnswersSubjectOrSchemaNotFound() {
        fake.on("POST", "/subjects/" + SUBJECT, 404, "{\"error_code\":40401,\"message\":\"Subject not found\"}")
                .on("POST", "/subjects/" + SUBJECT, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(Optional.empty(), client.lookup(SUBJECT, SCHEMA));
        assertEquals(Optional.empty(), client.lookup(SUBJECT, SCHEMA));
        // absence is state, not an immutable fact: both lookups went to the registry
        assertEquals(2, fake.count("POST", "/subjects/" + SUBJECT));
    }

    @Test
    void shouldThrowWhenLookupAnswers404WithoutRegistryCode() {
        fake.on("POST", "/subjects/" + SUBJECT, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.lookup(SUBJECT, SCHEMA));
        assertEquals(404, e.errorCode());
    }

    @Test
    void shouldReturnRegistrationAndCacheIdWhenLookupFindsSchema() {
        fake.on("POST", "/subjects/" + SUBJECT, 200,
                "{\"subject\":\"" + SUBJECT + "\",\"id\":4,\"version\":2,\"schema\":" + SCHEMA_JSON_STRING + "}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        RegisteredSchema found = client.lookup(SUBJECT, SCHEMA).orElseThrow();

        assertEquals(new RegisteredSchema(SUBJECT, 4, 2, SCHEMA), found);
        assertEquals(4, client.register(SUBJECT, SCHEMA));
        assertEquals(0, fake.count("POST", "/subjects/" + SUBJECT + "/versions"));
    }

    @Test
    void shouldParseLatestVersionWhenSubjectExists() {
        fake.on("GET", "/subjects/" + SUBJECT + "/versions/latest", 200,
                "{\"subject\":\"" + SUBJECT + "\",\"id\":5,\"version\":3,\"schema\":" + SCHEMA_JSON_STRING + "}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(new RegisteredSchema(SUBJECT, 5, 3, SCHEMA), client.latest(SUBJECT));
    }

    @Test
    void shouldRefuseNonAvroSchemaTypeWhenFetchingById() {
        fake.on("GET", "/schemas/ids/8", 200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(8));
        assertTrue(e.getMessage().contains("schemaType PROTOBUF is not supported"), e.getMessage());
    }

    @Test
    void shouldReturnVerboseMessagesWhenSchemaIsIncompatible() {
        fake.on("POST", "/compatibility/subjects/" + SUBJECT + "/versions/latest", 200,
                "{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE ttft_ms\"]}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        CompatibilityResult result = client.testCompatibility(SUBJECT, SCHEMA);

        assertEquals(CompatibilityResult.incompatible(List.of("READER_FIELD_MISSING_DEFAULT_VALUE ttft_ms")), result);
        assertTrue(fake.requests.get(0).uri().endsWith("/versions/latest?verbose=true"), fake.requests.get(0).uri());
    }

    @Test
    void shouldReportCompatibleWhenSubjectHasNoVersionsYet() {
        fake.on("POST", "/compatibility/subjects/" + SUBJECT + "/versions/latest", 404,
                "{\"error_code\":40401,\"message\":\"Subject not found\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(CompatibilityResult.ok(), client.testCompatibility(SUBJECT, SCHEMA));
    }

    @Test
    void shouldNeverCacheLatestOrSubjectsWhenCalledTwice() {
        fake.on("GET", "/subjects", 200, "[\"a-value\"]").on("GET", "/subjects", 200, "[\"a-value\",\"b-value\"]");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(List.of("a-value"), client.subjects());
        assertEquals(List.of("a-value", "b-value"), client.subjects());
    }

    @Test
    void shouldPutSubjectConfigWhenSettingCompatibility() throws IOException {
        fake.on("PUT", "/config/" + SUBJECT, 200, "{\"compatibility\":\"FORWARD\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        client.setCompatibility(SUBJECT, AvroCompatibility.Level.FORWARD);

        assertEquals("FORWARD", JSON.readTree(fake.requests.get(0).body()).get("compatibility").asText());
    }

    @Test
    void shouldPercentEncodeSubjectWhenItHoldsSlashAndSpace() {
        String odd = "team a/probe+x";
        fake.on("GET", "/subjects/team%20a%2Fprobe%2Bx/versions/latest", 200,
                "{\"subject\":\"x\",\"id\":1,\"version\":1,\"schema\":" + SCHEMA_JSON_STRING + "}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url());

        assertEquals(1, client.latest(odd).id());
    }

    @Test
    void shouldKeepPathPrefixWhenBaseUrlHasOne() {
        fake.on("GET", "/apis/ccompat/v7/subjects", 200, "[]");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url() + "/apis/ccompat/v7/");

        assertEquals(List.of(), client.subjects());
        assertEquals(fake.url() + "/apis/ccompat/v7", client.url());
    }

    @Test
    void shouldSayUnreachableWhenConnectionIsRefused() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        RestSchemaRegistryClient client = new RestSchemaRegistryClient("http://127.0.0.1:" + closedPort);

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(SUBJECT, SCHEMA));

        assertTrue(e.getMessage().startsWith("register subject '" + SUBJECT
                + "': schema registry unreachable at http://127.0.0.1:" + closedPort), e.getMessage());
        assertEquals(-1, e.status());
    }

    @Test
    void shouldGiveUpAfterRequestTimeoutWhenRegistryDoesNotAnswer() {
        CountDownLatch release = new CountDownLatch(1);
        fake.hold("GET", "/subjects", release);
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(fake.url(), Duration.ofSeconds(5),
                Duration.ofMillis(300));
        try {
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class, client::subjects);
            assertEquals("list subjects at " + fake.url() + ": no answer within 300 ms", e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldSendBasicAuthAndNeverShowPasswordWhenUrlCarriesCredentials() {
        fake.on("GET", "/subjects", 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        String url = "http://arena:" + CANARY_PASSWORD + "@127.0.0.1:" + fake.port();
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(url);

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, client::subjects);

        String expected = "Basic " + Base64.getEncoder().encodeToString(
                ("arena:" + CANARY_PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, fake.requests.get(0).authorization());
        assertFalse(e.getMessage().contains(CANARY_PASSWORD), e.getMessage());
        assertFalse(client.toString().contains(CANARY_PASSWORD), client.toString());
        assertFalse(client.url().contains(CANARY_PASSWORD), client.url());
        assertEquals("RestSchemaRegistryClient{url=http://127.0.0.1:" + fake.port() + ", basicAuthUser=arena}",
                client.toString());
    }

    @Test
    void shouldNeverShowPasswordWhenRegistryIsUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(
                "http://arena:" + CANARY_PASSWORD + "@127.0.0.1:" + closedPort);

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));

        assertFalse(stackText(e).contains(CANARY_PASSWORD), stackText(e));
    }

    @Test
    void shouldNotEchoPasswordWhenUrlIsInvalid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RestSchemaRegistryClient("http://arena:" + CANARY_PASSWORD + "@host:port/x y"));
        assertFalse(e.getMessage().contains(CANARY_PASSWORD), e.getMessage());
    }

    @Test
    void shouldSendNoAuthorizationWhenUrlHasNoCredentials() {
        fake.on("GET", "/subjects", 200, "[]");
        new RestSchemaRegistryClient(fake.url()).subjects();
        assertNull(fake.requests.get(0).authorization());
    }

    private static String stackText(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c).append('\n');
        }
        return out.toString();
    }
}
