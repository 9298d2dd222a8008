package dev.tokenarena.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.registry.AvroCompatibility;
import dev.tokenarena.schemas.registry.CompatibilityResult;
import dev.tokenarena.schemas.registry.RegisteredSchema;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.registry.SchemaRegistryException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The Netty side: the pipeline on an EmbeddedChannel, and the REST client against a real socket (log in memory). */
class RegistryHttpTest {

    private static final Schema V1 = SchemaBuilder.record("Probe").namespace("t").fields()
            .requiredString("endpoint_id").requiredDouble("ttft_ms").endRecord();
    private static final Schema V2 = SchemaBuilder.record("Probe").namespace("t").fields()
            .requiredString("endpoint_id").requiredDouble("ttft_ms").optionalString("region").endRecord();
    private static final Schema WITHOUT_TTFT = SchemaBuilder.record("Probe").namespace("t").fields()
            .requiredString("endpoint_id").endRecord();

    @Test
    void shouldAnswer413NamingLimitWhenBodyIsTooLarge() {
        EmbeddedChannel channel = channel(2048);
        String request = "POST /subjects/a-value/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 5000\r\n\r\n" + "x".repeat(5000);

        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));

        String response = readAll(channel);
        assertTrue(response.startsWith("HTTP/1.1 413 Request Entity Too Large"), response);
        assertTrue(response.contains("{\"error_code\":413,\"message\":\"request body larger than the limit of 2048 bytes\"}"),
                response);
        assertFalse(channel.isOpen(), "the unread rest of the body leaves the connection out of sync: close it");
    }

    @Test
    void shouldAnswerInOrderWithConfluentContentTypeWhenRequestsArePipelined() {
        EmbeddedChannel channel = channel(1 << 20);
        String two = "GET /schemas/types HTTP/1.1\r\nHost: x\r\n\r\nGET /subjects/none/versions HTTP/1.1\r\nHost: x\r\n\r\n";

        channel.writeInbound(Unpooled.copiedBuffer(two, StandardCharsets.US_ASCII));

        String response = readAll(channel);
        int first = response.indexOf("[\"AVRO\"]");
        int second = response.indexOf("40401");
        assertTrue(first > 0 && second > first, response);
        assertTrue(response.contains("content-type: application/vnd.schemaregistry.v1+json"), response);
        assertTrue(channel.isOpen(), "keep-alive");
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldServeRestClientEndToEndWhenLogIsInMemory() {
        try (RegistryServer server = RegistryServer.start(RegistryServer.Options.defaults("unused:9092", 0),
                MemorySchemaLog::new)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());

            int id = client.register("p-value", V1);
            assertEquals(id, client.register("q-value", V1), "same schema, same global id");
            assertEquals(V1, client.schemaById(id));
            assertEquals(new RegisteredSchema("p-value", id, 1, V1), client.latest("p-value"));
            assertEquals(Optional.of(new RegisteredSchema("p-value", id, 1, V1)), client.lookup("p-value", V1));
            assertEquals(Optional.empty(), client.lookup("p-value", V2));
            assertEquals(Optional.empty(), client.lookup("nobody-value", V1));
            assertEquals(CompatibilityResult.ok(), client.testCompatibility("p-value", V2));
            assertFalse(client.testCompatibility("p-value", WITHOUT_TTFT).compatible());
            assertEquals(List.of("p-value", "q-value"), client.subjects());

            SchemaRegistryException refused = assertThrows(SchemaRegistryException.class,
                    () -> client.register("p-value", WITHOUT_TTFT));
            assertEquals(409, refused.errorCode());
            assertTrue(refused.getMessage().startsWith("register subject 'p-value' at " + server.url()
                    + ": HTTP 409 error_code 409: Schema being registered is incompatible"), refused.getMessage());
            assertTrue(refused.getMessage().contains("ttft_ms"), refused.getMessage());

            client.setCompatibility("p-value", AvroCompatibility.Level.BACKWARD);
            assertEquals(id + 1, client.register("p-value", WITHOUT_TTFT));
        }
    }

    private static EmbeddedChannel channel(int maxBody) {
        SchemaState state = new SchemaState(AvroCompatibility.Level.FULL);
        RegistryApi api = new RegistryApi(new SchemaStore(state, new MemorySchemaLog(state)));
        EmbeddedChannel channel = new EmbeddedChannel();
        new RegistryChannelInitializer(api, maxBody, null).configure(channel.pipeline());
        return channel;
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) o;
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }
}
