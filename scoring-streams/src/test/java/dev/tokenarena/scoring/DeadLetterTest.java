package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.DeadLetters;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.scoring.avro.ProbeStats;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.Metric;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    @Test
    void shouldDivertGarbageToDlqAndProcessNextRecordWhenPayloadIsUndecodable() throws Exception {
        try (Fixture f = new Fixture()) {
            byte[] garbage = {1, 2, 3};
            f.rawProbes.pipeInput("e1".getBytes(StandardCharsets.UTF_8), garbage, T0);
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).build());

            TestRecord<byte[], byte[]> dl = f.dlq.readRecord();
            assertArrayEquals(garbage, dl.value());
            assertEquals("e1", new String(dl.key(), StandardCharsets.UTF_8));
            String reason = DeadLetters.header(dl.headers(), DeadLetters.REASON);
            assertTrue(reason.startsWith("cannot deserialize: InvalidPayloadException"), reason);
            assertEquals(Topics.PROBE_RESULTS.name(), DeadLetters.header(dl.headers(), DeadLetters.SOURCE_TOPIC));
            assertEquals("0", DeadLetters.header(dl.headers(), DeadLetters.SOURCE_OFFSET));
            assertEquals(ScoringTopology.COMPONENT, DeadLetters.header(dl.headers(), DeadLetters.COMPONENT));
            assertTrue(f.dlq.isEmpty());
            assertEquals(1, f.deadLetters.count(Topics.PROBE_RESULTS.name()));
            // the good record after it was processed: one probe in the stats
            f.emitInterim();
            ProbeStats s = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(1, s.getProbeCount());
        }
    }

    @Test
    void shouldDivertDecodedButInvalidRecordWithReasonWhenLatencyIsNegative() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).setE2eMs(-5.0).build());
            f.pipe(f.probes, "e2", Events.probe("e1", T0 + MINUTE).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 2 * MINUTE).setTtftMs(Double.NaN).build());
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + 3 * MINUTE).build());

            var dead = f.dlq.readRecordsToList();
            assertEquals(3, dead.size());
            assertEquals("e2e_ms must be finite and >= 0, got -5.0",
                    DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON));
            assertEquals("record key 'e2' does not match endpoint_id 'e1'",
                    DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON));
            assertEquals("ttft_ms must be finite and >= 0, got NaN",
                    DeadLetters.header(dead.get(2).headers(), DeadLetters.REASON));
            assertEquals("2", DeadLetters.header(dead.get(2).headers(), DeadLetters.SOURCE_OFFSET));
            // the value is the record re-encoded in the wire format: magic byte 0 first
            assertEquals(0, dead.get(0).value()[0]);
            double invalidTotal = f.driver.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals(InvalidRecordDiverter.METRIC_OPERATION + "-total"))
                    .mapToDouble(e -> ((Number) ((Metric) e.getValue()).metricValue()).doubleValue()).sum();
            assertEquals(3.0, invalidTotal, 1e-12);
            ProbeStats s = f.store(ScoringTopology.PROBE_STATS_STORE, "e1");
            assertEquals(1, s.getProbeCount());
        }
    }

    /**
     * A canary probe and a fingerprint of an endpoint the catalogue does not hold cannot be scored
     * (their model and reference flag come from it): each goes to the DLQ with that reason instead
     * of vanishing in an inner join; the catalogued endpoint's canary is scored (no dead letter).
     */
    @Test
    void shouldDivertCanaryAndFingerprintToDlqWhenEndpointIsNotCatalogued() throws Exception {
        try (Fixture f = new Fixture()) {
            f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", true, T0));
            f.pipe(f.probes, "e1", Events.probe("e1", T0 + MINUTE).setKind("canary").setScenario("canary-0")
                    .setCanaryId("c1").setResponseSha256("aa").build());
            assertTrue(f.dlq.isEmpty());
            f.pipe(f.probes, "ghost", Events.probe("ghost", T0 + 2 * MINUTE).setKind("canary")
                    .setScenario("canary-0").setCanaryId("c1").setResponseSha256("aa").build());
            f.pipe(f.fingerprints, "ghost", Events.fingerprint("ghost", "m", "p1", T0 + 3 * MINUTE,
                    java.util.List.of(Events.position("a", 0.9))));
            for (String topic : new String[] {Topics.PROBE_RESULTS.name(), Topics.EVAL_FINGERPRINTS.name()}) {
                TestRecord<byte[], byte[]> dl = f.dlq.readRecord();
                assertEquals("ghost", new String(dl.key(), StandardCharsets.UTF_8));
                String reason = DeadLetters.header(dl.headers(), DeadLetters.REASON);
                assertTrue(reason.startsWith("endpoint 'ghost' is not in the catalogue (" + Topics.ENDPOINTS.name()
                        + ") when this record is scored"), reason);
                assertEquals(topic, DeadLetters.header(dl.headers(), DeadLetters.SOURCE_TOPIC));
            }
            assertTrue(f.dlq.isEmpty());
        }
    }
}
