package dev.tokenarena.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Grid\",\"namespace\":\"t\",\"fields\":["
            + "{\"name\":\"zone\",\"type\":\"string\"},{\"name\":\"g_per_kwh\",\"type\":\"double\"}]}";
    private static final String V2_OPTIONAL_ADDED = "{\"type\":\"record\",\"name\":\"Grid\",\"namespace\":\"t\",\"fields\":["
            + "{\"name\":\"zone\",\"type\":\"string\"},{\"name\":\"g_per_kwh\",\"type\":\"double\"},"
            + "{\"name\":\"source\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
    private static final String REQUIRED_REMOVED = "{\"type\":\"record\",\"name\":\"Grid\",\"namespace\":\"t\",\"fields\":["
            + "{\"name\":\"zone\",\"type\":\"string\"}]}";

    private SchemaState state;
    private MemorySchemaLog log;
    private RegistryApi api;

    @BeforeEach
    void setUp() {
        state = new SchemaState(AvroCompatibility.Level.FULL);
        log = new MemorySchemaLog(state);
        api = new RegistryApi(new SchemaStore(state, log));
    }

    @Test
    void shouldReturnSameIdWhenSameSchemaIsRegisteredTwice() throws IOException {
        assertEquals(1, register("a-value", V1).get("id").asInt());
        assertEquals(1, register("a-value", V1).get("id").asInt());
        assertEquals(1, log.entries.size(), "an idempotent registration writes nothing");
    }

    @Test
    void shouldReuseGlobalIdWhenSameSchemaIsRegisteredUnderAnotherSubject() throws IOException {
        register("a-value", V1);
        JsonNode other = register("b-value", V1);
        assertEquals(1, other.get("id").asInt());
        assertEquals("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]",
                call("GET", "/schemas/ids/1/versions", null).body());
    }

    @Test
    void shouldReuseIdWhenSchemaTextDiffersOnlyInWhitespace() throws IOException {
        register("a-value", V1);
        assertEquals(1, register("b-value", V1.replace(",", " ,\n ")).get("id").asInt());
    }

    @Test
    void shouldAcceptOptionalFieldWhenLevelIsFull() throws IOException {
        register("a-value", V1);
        assertEquals(2, register("a-value", V2_OPTIONAL_ADDED).get("id").asInt());
        assertEquals("[1,2]", call("GET", "/subjects/a-value/versions", null).body());
    }

    @Test
    void shouldRefuseWith409NamingFieldWhenRequiredFieldIsRemovedUnderFull() throws IOException {
        register("a-value", V1);
        RegistryApi.Response r = call("POST", "/subjects/a-value/versions", body(REQUIRED_REMOVED));
        assertEquals(409, r.status());
        JsonNode error = JSON.readTree(r.body());
        assertEquals(409, error.get("error_code").asInt());
        // the old schema reads new data: its required g_per_kwh has no value and no default
        assertTrue(error.get("message").asText().contains("g_per_kwh"), r.body());
        assertTrue(error.get("message").asText().contains("incompatible"), r.body());
        assertEquals(1, log.entries.size(), "a refused schema is never written");
    }

    @Test
    void shouldAcceptRemovedRequiredFieldWhenSubjectLevelIsBackward() throws IOException {
        register("a-value", V1);
        assertEquals(200, call("PUT", "/config/a-value", "{\"compatibility\":\"BACKWARD\"}").status());
        assertEquals(200, call("POST", "/subjects/a-value/versions", body(REQUIRED_REMOVED)).status());
    }

    @Test
    void shouldAnswer42201WithAvroMessageWhenSchemaIsInvalid() throws IOException {
        RegistryApi.Response r = call("POST", "/subjects/a-value/versions",
                body("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"f\",\"type\":\"nosuchtype\"}]}"));
        assertEquals(422, r.status());
        JsonNode error = JSON.readTree(r.body());
        assertEquals(42201, error.get("error_code").asInt());
        assertTrue(error.get("message").asText().contains("nosuchtype"), r.body());
    }

    @Test
    void shouldAnswer42201WhenBodyIsNotJson() throws IOException {
        RegistryApi.Response r = call("POST", "/subjects/a-value/versions", "{not json");
        assertEquals(422, r.status());
        assertEquals(42201, JSON.readTree(r.body()).get("error_code").asInt());
    }

    @Test
    void shouldAnswer42201WhenSchemaTypeIsNotAvro() throws IOException {
        RegistryApi.Response r = call("POST", "/subjects/a-value/versions",
                "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
        assertEquals(422, r.status());
        assertTrue(r.body().contains("PROTOBUF"), r.body());
    }

    @Test
    void shouldAnswerConfluentNotFoundCodesWhenSubjectVersionOrIdIsMissing() throws IOException {
        assertError(404, 40401, "Subject 'nope' not found.", call("GET", "/subjects/nope/versions/latest", null));
        register("a-value", V1);
        assertError(404, 40402, null, call("GET", "/subjects/a-value/versions/9", null));
        assertError(404, 40403, "Schema 42 not found", call("GET", "/schemas/ids/42", null));
        assertError(422, 42202, null, call("GET", "/subjects/a-value/versions/abc", null));
    }

    @Test
    void shouldDistinguishUnknownSubjectFromUnknownSchemaWhenLookingUp() throws IOException {
        assertError(404, 40401, null, call("POST", "/subjects/a-value", body(V1)));
        register("a-value", V1);
        assertError(404, 40403, null, call("POST", "/subjects/a-value", body(V2_OPTIONAL_ADDED)));
        JsonNode found = JSON.readTree(call("POST", "/subjects/a-value", body(V1)).body());
        assertEquals(1, found.get("id").asInt());
        assertEquals(1, found.get("version").asInt());
    }

    @Test
    void shouldServeVersionAndRawSchemaWhenAsked() throws IOException {
        register("a-value", V1);
        JsonNode latest = JSON.readTree(call("GET", "/subjects/a-value/versions/latest", null).body());
        assertEquals("a-value", latest.get("subject").asText());
        assertEquals(1, latest.get("id").asInt());
        assertEquals(JSON.readTree(V1), JSON.readTree(latest.get("schema").asText()));
        assertEquals(JSON.readTree(V1), JSON.readTree(call("GET", "/subjects/a-value/versions/1/schema", null).body()));
        assertEquals("[\"AVRO\"]", call("GET", "/schemas/types", null).body());
        assertEquals("{}", call("GET", "/", null).body());
    }

    @Test
    void shouldReportVerboseReasonsWhenCheckingCompatibility() throws IOException {
        register("a-value", V1);
        JsonNode bad = JSON.readTree(call("POST", "/compatibility/subjects/a-value/versions/latest?verbose=true",
                body(REQUIRED_REMOVED)).body());
        assertFalse(bad.get("is_compatible").asBoolean());
        assertTrue(bad.get("messages").get(0).asText().contains("g_per_kwh"), bad.toString());
        JsonNode good = JSON.readTree(call("POST", "/compatibility/subjects/a-value/versions/1",
                body(V2_OPTIONAL_ADDED)).body());
        assertEquals("{\"is_compatible\":true}", good.toString());
    }

    @Test
    void shouldCallAnythingCompatibleWhenSubjectHasNoVersions() throws IOException {
        assertEquals("{\"is_compatible\":true}",
                call("POST", "/compatibility/subjects/new-value/versions/latest", body(V1)).body());
    }

    @Test
    void shouldKeepConfigPerSubjectAndGlobalWhenPut() throws IOException {
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", call("GET", "/config", null).body());
        assertError(404, 40408, null, call("GET", "/config/a-value", null));
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", call("GET", "/config/a-value?defaultToGlobal=true", null).body());
        assertEquals("{\"compatibility\":\"NONE\"}", call("PUT", "/config/a-value", "{\"compatibility\":\"none\"}").body());
        assertEquals("{\"compatibilityLevel\":\"NONE\"}", call("GET", "/config/a-value", null).body());
        assertEquals(200, call("PUT", "/config", "{\"compatibility\":\"BACKWARD\"}").status());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", call("GET", "/config", null).body());
        assertError(422, 42203, null, call("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}"));
    }

    @Test
    void shouldHideSubjectButKeepIdWhenSoftDeleted() throws IOException {
        register("a-value", V1);
        assertEquals("[1]", call("DELETE", "/subjects/a-value", null).body());
        assertEquals("[]", call("GET", "/subjects", null).body());
        assertEquals("[\"a-value\"]", call("GET", "/subjects?deleted=true", null).body());
        assertEquals(200, call("GET", "/schemas/ids/1", null).status(), "old records must still decode");
        assertError(404, 40404, null, call("DELETE", "/subjects/a-value", null));
        // registering again continues the version numbers and reuses the id
        assertEquals(1, register("a-value", V1).get("id").asInt());
        assertEquals("[2]", call("GET", "/subjects/a-value/versions", null).body());
    }

    @Test
    void shouldRefusePermanentDeleteWhenAsked() throws IOException {
        register("a-value", V1);
        assertError(422, 42205, null, call("DELETE", "/subjects/a-value?permanent=true", null));
    }

    @Test
    void shouldRebuildSameIdsVersionsAndConfigWhenLogIsReplayed() throws IOException {
        register("a-value", V1);
        register("a-value", V2_OPTIONAL_ADDED);
        register("b-value", V2_OPTIONAL_ADDED);
        call("PUT", "/config/b-value", "{\"compatibility\":\"NONE\"}");

        SchemaState replayed = new SchemaState(AvroCompatibility.Level.FULL);
        RegistryApi restarted = new RegistryApi(new SchemaStore(replayed, new MemorySchemaLog(replayed, log.entries)));

        for (String uri : List.of("/subjects", "/subjects/a-value/versions", "/subjects/b-value/versions/latest",
                "/schemas/ids/2", "/config/b-value")) {
            assertEquals(call("GET", uri, null), restarted.handle("GET", uri, null), uri);
        }
        // a new schema after the restart continues after the highest id seen
        JsonNode third = JSON.readTree(restarted.handle("POST", "/subjects/c-value/versions", body(REQUIRED_REMOVED)).body());
        assertEquals(3, third.get("id").asInt());
    }

    @Test
    void shouldWriteConfluentLayoutWhenRegistering() throws IOException {
        register("a-value", V1);
        MemorySchemaLog.Entry entry = log.entries.get(0);
        assertEquals("{\"keytype\":\"SCHEMA\",\"subject\":\"a-value\",\"version\":1,\"magic\":1}",
                new String(entry.key(), StandardCharsets.UTF_8));
        JsonNode value = JSON.readTree(entry.value());
        assertEquals(1, value.get("id").asInt());
        assertEquals(1, value.get("version").asInt());
        assertFalse(value.get("deleted").asBoolean());
    }

    @Test
    void shouldDecodeSubjectWithEncodedSlashAsOneSegment() throws IOException {
        assertEquals(200, call("POST", "/subjects/team%2Fa+b/versions", body(V1)).status());
        assertEquals("[\"team/a+b\"]", call("GET", "/subjects", null).body());
    }

    @Test
    void shouldAnswer404And405WhenRouteOrMethodIsWrong() throws IOException {
        assertError(404, 404, null, call("GET", "/nowhere", null));
        assertError(405, 405, null, call("DELETE", "/schemas/types", null));
    }

    private JsonNode register(String subject, String schema) throws IOException {
        RegistryApi.Response r = call("POST", "/subjects/" + subject + "/versions", body(schema));
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body());
    }

    private RegistryApi.Response call(String method, String uri, String body) {
        return api.handle(method, uri, body);
    }

    private static String body(String schema) throws IOException {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    private static void assertError(int status, int code, String message, RegistryApi.Response r) throws IOException {
        assertEquals(status, r.status(), r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals(code, error.get("error_code").asInt(), r.body());
        if (message != null) {
            assertEquals(message, error.get("message").asText());
        }
    }
}
