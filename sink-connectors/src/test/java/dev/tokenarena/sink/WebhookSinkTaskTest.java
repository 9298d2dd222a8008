package dev.tokenarena.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.testing.LogCapture;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.sink.LoopbackReceiver.Received;
import dev.tokenarena.sink.LoopbackReceiver.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALERTS = Topics.ALERTS.name();

    private final List<WebhookSinkTask> started = new ArrayList<>();
    private final List<LoopbackReceiver> receivers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(WebhookSinkTask::stop);
        receivers.forEach(LoopbackReceiver::close);
    }

    private LoopbackReceiver receiver(Reply... script) throws IOException {
        LoopbackReceiver r = new LoopbackReceiver().thenReply(script);
        receivers.add(r);
        return r;
    }

    private static Map<String, String> props(String url, Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                "name", "webhook",
                WebhookSinkConfig.URL, url,
                WebhookSinkConfig.RETRY_BACKOFF_MS, "20",
                WebhookSinkConfig.TIMEOUT_MS, "5000",
                WebhookSinkConfig.SCHEMA_REGISTRY_URL, "http://registry.test:8081",
                WebhookSinkConfig.SCHEMA_REGISTRY_CLIENT_FACTORY, InMemoryRegistryFactory.class.getName()));
        props.putAll(overrides);
        return props;
    }

    private WebhookSinkTask task(FakeSinkTaskContext context, String url, Map<String, String> overrides) {
        WebhookSinkTask task = new WebhookSinkTask();
        task.initialize(context);
        task.start(props(url, overrides));
        started.add(task);
        return task;
    }

    private static byte[] encoded(DriftAlert alert) {
        return AvroWireSerde.forTopic(Topics.ALERTS, InMemoryRegistryFactory.REGISTRY).encode(ALERTS, alert);
    }

    private static SinkRecord alertRecord(int partition, long offset, DriftAlert alert) {
        return Fixtures.record(ALERTS, partition, offset, alert.getEndpointId().toString(), encoded(alert));
    }

    private static String hmacHex(String secret, String signedText) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signedText.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldPostTheAlertAsPlainJsonWithADeliveryIdWhenFormatIsDefault() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(204));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/hooks/arena"), Map.of());
        DriftAlert alert = Fixtures.alert("a-1", "OPEN");

        task.put(List.of(alertRecord(2, 17, alert)));

        assertEquals(1, receiver.received.size());
        Received request = receiver.received.get(0);
        assertEquals("POST", request.method());
        assertEquals("/hooks/arena", request.path());
        assertEquals(AvroJson.toJson(alert), request.bodyText(), "the alert itself, nothing wrapped around it");
        JsonNode body = JSON.readTree(request.body());
        assertEquals("a-1", body.get("alert_id").asText());
        assertEquals("OPEN", body.get("state").asText());
        assertEquals(92.1, body.get("evidence").get("current").asDouble());
        assertEquals("application/json; charset=utf-8", request.header("Content-Type"));
        assertEquals("arena.alerts.drift.v1-2-17", request.header("X-Arena-Delivery"));
        assertNull(request.header("X-Arena-Signature"), "no secret, no signature");
        assertNull(request.header("X-Arena-Timestamp"));
        assertEquals(1, task.deliveredRecords());
        assertEquals(1, task.attempts());
    }

    @Test
    void shouldPostASlackTextSummaryWhenFormatIsSlack() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(200, "ok"), Reply.of(200, "ok"));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/services/T1/B2/x"),
                Map.of(WebhookSinkConfig.FORMAT, "slack"));
        DriftAlert resolved = Fixtures.alert("a-1", "RESOLVED");
        resolved.getEvidence().setBaseline(null);
        resolved.setSummary("p99 <back> & fine");

        task.put(List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN")), alertRecord(0, 1, resolved)));

        assertEquals(2, receiver.received.size());
        JsonNode first = JSON.readTree(receiver.received.get(0).body());
        assertEquals(List.of("text"), fieldNames(first));
        assertEquals("[OPEN] fidelity on acme-llama70b-fp8-use1 (warning): fidelity_f 92.1 (baseline 99.6, "
                + "threshold 97) - fidelity fell from 99.6 to 92.1", first.get("text").asText());
        assertEquals("[RESOLVED] fidelity on acme-llama70b-fp8-use1 (warning): fidelity_f 92.1 (threshold 97) - "
                + "p99 &lt;back&gt; &amp; fine", JSON.readTree(receiver.received.get(1).body()).get("text").asText(),
                "a missing number is left out; Slack's control characters are escaped");
    }

    @Test
    void shouldSignTimestampDotBodyWhenSecretIsSet() throws Exception {
        String secret = "s3cret-for-the-test";
        LoopbackReceiver receiver = receiver(Reply.of(200));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/"),
                Map.of(WebhookSinkConfig.HMAC_SECRET, secret));

        long before = System.currentTimeMillis();
        task.put(List.of(alertRecord(0, 5, Fixtures.alert("a-1", "OPEN"))));
        long after = System.currentTimeMillis();

        Received request = receiver.received.get(0);
        String timestamp = request.header("X-Arena-Timestamp");
        long ts = Long.parseLong(timestamp);
        assertTrue(ts >= before && ts <= after, ts + " not within [" + before + ", " + after + "]");
        String expected = "sha256=" + hmacHex(secret, timestamp + "." + request.bodyText());
        assertEquals(expected, request.header("X-Arena-Signature"));
        assertEquals(7 + 64, expected.length(), "sha256= and 32 bytes of lowercase hex");
        assertFalse(expected.equals("sha256=" + hmacHex(secret, request.bodyText())), "the timestamp is signed too");
    }

    @Test
    void shouldRetryServerErrorsThenDeliverWhenTheReceiverRecovers() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(500, "boom"), Reply.of(503), Reply.of(200));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/"),
                Map.of(WebhookSinkConfig.RETRY_BACKOFF_MS, "100", WebhookSinkConfig.HMAC_SECRET, "k"));

        task.put(List.of(alertRecord(1, 9, Fixtures.alert("a-1", "OPEN"))));

        assertEquals(3, receiver.received.size());
        assertEquals(3, task.attempts());
        assertEquals(1, task.deliveredRecords());
        assertEquals(0, task.skippedRecords());
        for (Received r : receiver.received) {
            assertEquals("arena.alerts.drift.v1-1-9", r.header("X-Arena-Delivery"), "same id on every attempt");
            assertEquals(receiver.received.get(0).bodyText(), r.bodyText());
            assertEquals("sha256=" + hmacHex("k", r.header("X-Arena-Timestamp") + "." + r.bodyText()),
                    r.header("X-Arena-Signature"), "each attempt is signed with its own timestamp");
        }
        // Exponential: 100 ms, then 200 ms.
        assertTrue(receiver.gapMs(1) >= 100, "first gap " + receiver.gapMs(1));
        assertTrue(receiver.gapMs(2) >= 200, "second gap " + receiver.gapMs(2));
    }

    @Test
    void shouldWaitForRetryAfterWhenTheReceiverAnswers429() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(429, "slow down").withHeader("Retry-After", "1"), Reply.of(200));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/"),
                Map.of(WebhookSinkConfig.RETRY_BACKOFF_MS, "10", WebhookSinkConfig.RETRY_BACKOFF_MAX_MS, "5000"));

        task.put(List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN"))));

        assertEquals(2, receiver.received.size());
        assertEquals(1, task.deliveredRecords());
        long gap = receiver.gapMs(1);
        assertTrue(gap >= 1000 && gap < 4000, "Retry-After: 1 means a second, not the 10 ms backoff; was " + gap);
    }

    @Test
    void shouldCapRetryAfterAtTheBackoffMaximum() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(429).withHeader("Retry-After", "3600"), Reply.of(200));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/"),
                Map.of(WebhookSinkConfig.RETRY_BACKOFF_MAX_MS, "150"));

        task.put(List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN"))));

        assertEquals(2, receiver.received.size());
        long gap = receiver.gapMs(1);
        assertTrue(gap >= 150 && gap < 3000, "capped at 150 ms, was " + gap);
    }

    @Test
    void shouldDeadLetterAPermanentRejectionAndDeliverTheNextRecord() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(400, "{\"error\": \"unknown kind\"}"), Reply.of(200));
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        WebhookSinkTask task = task(context, receiver.url("/"), Map.of());

        task.put(List.of(alertRecord(3, 40, Fixtures.alert("a-1", "OPEN")),
                alertRecord(3, 41, Fixtures.alert("a-2", "OPEN"))));

        assertEquals(2, receiver.received.size(), "no retry of a 400");
        assertEquals("arena.alerts.drift.v1-3-41", receiver.received.get(1).header("X-Arena-Delivery"));
        assertEquals(1, context.reported.size());
        assertEquals(40, context.reported.get(0).record().kafkaOffset());
        String reason = context.reported.get(0).error().getMessage();
        assertTrue(reason.contains("HTTP 400: {\"error\": \"unknown kind\"}"), reason);
        assertEquals(1, task.skippedRecords());
        assertEquals(1, task.deliveredRecords());
    }

    @Test
    void shouldDeadLetterAnUndecodableRecordAndDeliverTheNext() throws Exception {
        LoopbackReceiver receiver = receiver();
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        WebhookSinkTask task = task(context, receiver.url("/"), Map.of());

        task.put(List.of(Fixtures.record(ALERTS, 0, 7, "acme", new byte[] {0, 0, 0}),
                alertRecord(0, 8, Fixtures.alert("a-9", "OPEN"))));

        assertEquals(1, receiver.received.size());
        assertEquals("arena.alerts.drift.v1-0-8", receiver.received.get(0).header("X-Arena-Delivery"));
        assertEquals(1, context.reported.size());
        assertEquals(7, context.reported.get(0).record().kafkaOffset());
        assertEquals(1, task.skippedRecords());
    }

    @Test
    void shouldThrowRetriableExceptionWhenRetriesAreExhaustedAndDeliverOnRedelivery() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(200), Reply.of(503), Reply.of(503), Reply.of(502, "bad gateway"));
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        WebhookSinkTask task = task(context, receiver.url("/"), Map.of(WebhookSinkConfig.MAX_RETRIES, "2",
                WebhookSinkConfig.RETRY_BACKOFF_MAX_MS, "40"));
        List<SinkRecord> batch = List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN")),
                alertRecord(0, 1, Fixtures.alert("a-2", "OPEN")));

        RetriableException e = assertThrows(RetriableException.class, () -> task.put(batch));

        assertTrue(e.getMessage().contains("did not take arena.alerts.drift.v1-0-1 after 3 attempts, last HTTP 502: "
                + "bad gateway"), e.getMessage());
        assertEquals(4, receiver.received.size(), "1 delivery, then 1 attempt and 2 retries of the second record");
        assertEquals(List.of(40L), context.timeouts, "Connect waits the backoff cap before redelivering");
        assertEquals(0, context.reported.size(), "nothing dead-lettered: Connect redelivers the batch");

        // Connect calls put again with the same batch; the receiver is back.
        task.put(batch);

        assertEquals(5, receiver.received.size(), "only the undelivered record is sent again");
        assertEquals("arena.alerts.drift.v1-0-1", receiver.received.get(4).header("X-Arena-Delivery"));
        assertEquals(2, task.deliveredRecords());
    }

    @Test
    void shouldRetryWhenTheReceiverTimesOut() throws Exception {
        LoopbackReceiver receiver = receiver(Reply.of(200).delayedBy(2000), Reply.of(200));
        WebhookSinkTask task = task(new FakeSinkTaskContext(true), receiver.url("/"),
                Map.of(WebhookSinkConfig.TIMEOUT_MS, "300"));

        task.put(List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN"))));

        assertEquals(2, receiver.received.size());
        assertEquals(2, task.attempts());
        assertEquals(1, task.deliveredRecords());
    }

    @Test
    void shouldThrowRetriableExceptionWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        WebhookSinkTask task = task(context, "http://127.0.0.1:" + port + "/", Map.of(WebhookSinkConfig.MAX_RETRIES, "1"));

        RetriableException e = assertThrows(RetriableException.class,
                () -> task.put(List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN")))));

        assertTrue(e.getMessage().contains("after 2 attempts, last ConnectException"), e.getMessage());
        assertEquals(2, task.attempts());
        assertEquals(0, context.reported.size());
    }

    @Test
    void shouldNeverShowTheSecretOrTheUrlPathInLogsErrorsOrDeadLetters() throws Exception {
        String secret = "canary-hmac-5e1f";
        String pathSecret = "canary-path-77ab";
        LoopbackReceiver receiver = receiver(Reply.of(503), Reply.of(200), Reply.of(403, "forbidden"),
                Reply.of(500), Reply.of(500));
        FakeSinkTaskContext context = new FakeSinkTaskContext(true);
        Configurator.setLevel("dev.tokenarena", Level.DEBUG);
        List<String> texts = new ArrayList<>();
        try (LogCapture logs = new LogCapture()) {
            WebhookSinkTask task = task(context, receiver.url("/services/T0/B0/" + pathSecret), Map.of(
                    WebhookSinkConfig.HMAC_SECRET, secret, WebhookSinkConfig.MAX_RETRIES, "1"));
            texts.add(new WebhookSinkConfig(props(receiver.url("/services/T0/B0/" + pathSecret),
                    Map.of(WebhookSinkConfig.HMAC_SECRET, secret))).toString());

            task.put(List.of(alertRecord(0, 0, Fixtures.alert("a-1", "OPEN")),
                    alertRecord(0, 1, Fixtures.alert("a-2", "OPEN")),
                    Fixtures.record(ALERTS, 0, 2, "acme", new byte[] {9})));
            RetriableException e = assertThrows(RetriableException.class,
                    () -> task.put(List.of(alertRecord(0, 3, Fixtures.alert("a-3", "OPEN")))));
            texts.add(e.getMessage());
            task.stop();
            texts.addAll(logs.lines());
        } finally {
            Configurator.setLevel("dev.tokenarena", Level.INFO);
        }
        context.reported.forEach(r -> texts.add(r.error().toString()));

        assertEquals(5, receiver.received.size());
        assertEquals(2, context.reported.size(), "the 403 and the undecodable record");
        assertTrue(logs(texts).contains("did not take"), "the retry was logged: " + texts);
        assertTrue(logs(texts).contains("skipped record"), "the dead letters were logged: " + texts);
        assertTrue(logs(texts).contains("http://127.0.0.1:"), "the redacted URL still says where: " + texts);
        for (String text : texts) {
            assertFalse(text.contains(secret), "secret in: " + text);
            assertFalse(text.contains(pathSecret), "URL path in: " + text);
        }
    }

    @Test
    void shouldFailStartNamingTheKeyWhenUrlIsMissingOrNotHttp() {
        Map<String, String> noUrl = props("http://x", Map.of());
        noUrl.remove(WebhookSinkConfig.URL);
        ConfigException missing = assertThrows(ConfigException.class, () -> new WebhookSinkTask().start(noUrl));
        assertTrue(missing.getMessage().contains("\"webhook.url\""), missing.getMessage());

        ConfigException ftp = assertThrows(ConfigException.class,
                () -> new WebhookSinkTask().start(props("ftp://files.example.com/drop", Map.of())));
        assertEquals("webhook.url must be an http or https URL, http(s)://host[:port][/path]; the scheme was ftp",
                ftp.getMessage());
    }

    private static String logs(List<String> texts) {
        return String.join("\n", texts);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
