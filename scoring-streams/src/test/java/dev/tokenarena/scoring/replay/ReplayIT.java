package dev.tokenarena.scoring.replay;

import static dev.tokenarena.scoring.api.TestEvents.MINUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.scoring.ScoringParams;
import dev.tokenarena.scoring.ScoringTopology;
import dev.tokenarena.scoring.api.TestEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Replays on the shared broker: range filter, namespaced outputs, byte-identical reruns. */
@Tag("slow")
class ReplayIT {

    /**
     * A day ago on the hour: within the input topics' retention (older records are deleted by the
     * broker, between the two runs too), and no other test's measurements fall in the range.
     */
    private static final long T0 = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS).toEpochMilli();

    @Test
    void shouldWriteByteIdenticalOutputWhenTheSameRangeIsReplayedTwice() throws Exception {
        EmbeddedKafka kafka = TestEvents.catalogueBroker();
        String run = "rp" + UUID.randomUUID().toString().substring(0, 8);
        TestEvents.createTopics(kafka, run); // inputs (and an unused namespace): the replay creates its own
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        String model = "m-" + run;
        String e1 = run + "-e1";
        String e2 = run + "-e2";
        long from = T0;
        long to = T0 + 30 * MINUTE;
        try (KafkaProducer<String, byte[]> producer = TestEvents.producer(kafka)) {
            TestEvents.send(producer, registry, Topics.ENDPOINTS, e1, TestEvents.endpoint(e1, model, false, T0 - 60 * MINUTE), T0);
            TestEvents.send(producer, registry, Topics.ENDPOINTS, e2, TestEvents.endpoint(e2, model, false, T0 - 60 * MINUTE), T0);
            TestEvents.send(producer, registry, Topics.PRICES, e1, TestEvents.price(e1, 0.60, 0.80, T0 - 60 * MINUTE), T0);
            TestEvents.send(producer, registry, Topics.PRICES, e2, TestEvents.price(e2, 1.20, 1.60, T0 - 60 * MINUTE), T0);
            // before the range (left out), four inside, one at `to` (left out: the range is half-open)
            for (long at : new long[] {T0 - 10 * MINUTE, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 5 * MINUTE,
                    T0 + 9 * MINUTE, to}) {
                TestEvents.send(producer, registry, Topics.PROBE_RESULTS, e1, TestEvents.probe(e1, at, 50.0), at);
                TestEvents.send(producer, registry, Topics.PROBE_RESULTS, e2, TestEvents.probe(e2, at, 25.0), at);
            }
            // an undecodable record inside the range (by its record timestamp): one dead letter
            producer.send(new ProducerRecord<>(Topics.PROBE_RESULTS.name(), null, T0 + 3 * MINUTE, e1,
                    "garbage".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
        ScoringParams params = ScoringParams.defaults();
        Replayer replayer = new Replayer(registry);
        List<long[]> progress = new ArrayList<>();
        ReplayResult first = replayer.run(new ReplayRequest(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to),
                params, run + "a", kafka.bootstrapServers(), Path.of("target"), (read, total) ->
                progress.add(new long[] {read, total})));
        ReplayResult second = replayer.run(new ReplayRequest(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to),
                params, run + "b", kafka.bootstrapServers(), Path.of("target"), null));

        long[] last = progress.get(progress.size() - 1);
        assertEquals(last[1], last[0], "the last progress report is complete");
        assertEquals(first.recordsRead(), last[0]);
        assertEquals(params.configHash(), first.configHash());
        assertEquals(first.recordsRead(), second.recordsRead(), first + " / " + second);
        assertEquals(first.recordsReplayed(), second.recordsReplayed(), first + " / " + second);

        for (var topic : List.of(Topics.COMPOSITES, Topics.LEADERBOARD, Topics.ALERTS, Topics.DLQ)) {
            List<List<ConsumerRecord<byte[], byte[]>>> a = readAll(kafka, ScoringTopology.outputTopic(topic, run + "a"));
            List<List<ConsumerRecord<byte[], byte[]>>> b = readAll(kafka, ScoringTopology.outputTopic(topic, run + "b"));
            for (int p = 0; p < a.size(); p++) {
                assertEquals(a.get(p).size(), b.get(p).size(), topic.name() + " partition " + p);
                for (int i = 0; i < a.get(p).size(); i++) {
                    ConsumerRecord<byte[], byte[]> x = a.get(p).get(i);
                    ConsumerRecord<byte[], byte[]> y = b.get(p).get(i);
                    String where = topic.name() + " " + p + "@" + i;
                    assertArrayEquals(x.key(), y.key(), where);
                    assertArrayEquals(x.value(), y.value(), where);
                    assertEquals(x.timestamp(), y.timestamp(), where);
                    assertEquals(headers(x), headers(y), where);
                }
            }
            assertEquals(first.recordsWritten().get(ScoringTopology.outputTopic(topic, run + "a")),
                    (long) a.stream().mapToInt(List::size).sum(), topic.name());
        }

        // what was replayed: e1's latest chat composite counts the 4 probes in range (not the one
        // 10 min before `from`, nor the one at `to`); e1 faster and cheaper, TTFT equal, quality
        // missing, success 100%: chat = 100 x (0.25 + 0.20 + 0.25 + 0 + 0.10) = 80
        AvroWireSerde<EndpointComposite> serde = AvroWireSerde.forTopic(Topics.COMPOSITES, registry);
        EndpointComposite latest = null;
        for (List<ConsumerRecord<byte[], byte[]>> part : readAll(kafka,
                ScoringTopology.outputTopic(Topics.COMPOSITES, run + "a"))) {
            for (ConsumerRecord<byte[], byte[]> r : part) {
                EndpointComposite c = serde.decode(r.value());
                if (c.getEndpointId().equals(e1) && c.getPreset().equals("chat")) {
                    latest = c;
                }
            }
        }
        assertTrue(latest != null, "a chat composite of e1");
        assertEquals(4L, latest.getProbeCount());
        assertEquals(80.0, latest.getScore(), 1e-9);
        assertEquals(params.configHash(), latest.getConfigHash());
        long dead = readAll(kafka, ScoringTopology.outputTopic(Topics.DLQ, run + "a")).stream()
                .mapToLong(List::size).sum();
        assertEquals(1, dead);

        // a namespace that holds output is never appended to
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> replayer.run(
                new ReplayRequest(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), params, run + "a",
                        kafka.bootstrapServers(), Path.of("target"), null)));
        assertTrue(refused.getMessage().contains("choose another --as NAME"), refused.getMessage());
    }

    private static List<String> headers(ConsumerRecord<byte[], byte[]> r) {
        List<String> out = new ArrayList<>();
        for (Header h : r.headers()) {
            out.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Every record of every partition, read to the end offsets. */
    private static List<List<ConsumerRecord<byte[], byte[]>>> readAll(EmbeddedKafka kafka, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = Replayer.partitions(c, topic);
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            List<List<ConsumerRecord<byte[], byte[]>>> out = new ArrayList<>();
            tps.forEach(tp -> out.add(new ArrayList<>()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end in 30 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.get(r.partition()).add(r);
                }
            }
            return out;
        }
    }
}
