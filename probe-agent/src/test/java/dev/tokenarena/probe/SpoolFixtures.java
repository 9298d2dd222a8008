package dev.tokenarena.probe;

import dev.tokenarena.schemas.v1.ProbeResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;

/** Results and a fake Kafka (a topic log that can be down, or lose acks) for the spool tests. */
final class SpoolFixtures {

    private SpoolFixtures() {
    }

    static ProbeResult result(String probeId) {
        return ProbeResult.newBuilder().setProbeId(probeId).setEndpointId("ep-" + probeId.hashCode() % 3)
                .setRegion("us-east").setAgentId("a").setRound(0).setScenario("timing-in1k-c1")
                .setInputTokensTarget(1000).setConcurrency(1).setMaxTokens(16).setStartedAtMs(0)
                .setOutcome("OK").setE2eMs(12.5).setOutputTokens(2).setOutputTokensLocal(2).setInputTokensLocal(1000)
                .build();
    }

    /** What a broker would do with a send. */
    enum Mode { UP, DOWN, ACK_LOST }

    /** A topic (list of probe ids in arrival order) behind a producer whose broker can fail. */
    static final class FakeKafka implements TopicTail {
        final List<String> log = new CopyOnWriteArrayList<>();
        volatile Mode mode = Mode.UP;
        volatile int producersMade;

        MockProducer<String, ProbeResult> producer() {
            producersMade++;
            return new MockProducer<>(true, null, (t, k) -> new byte[0], (t, v) -> new byte[0]) {
                @Override
                public synchronized Future<RecordMetadata> send(ProducerRecord<String, ProbeResult> record, Callback callback) {
                    Header h = record.headers().lastHeader(PROBE_ID_HEADER);
                    String id = new String(h.value(), StandardCharsets.UTF_8);
                    switch (mode) {
                        case DOWN -> {
                            return CompletableFuture.failedFuture(new TimeoutException("broker down (fake)"));
                        }
                        case ACK_LOST -> {
                            // Stored by the broker, but the client only sees a timeout.
                            log.add(id);
                            return CompletableFuture.failedFuture(new TimeoutException("ack lost (fake)"));
                        }
                        default -> {
                            log.add(id);
                            return super.send(record, callback);
                        }
                    }
                }
            };
        }

        @Override
        public Set<String> present(Collection<String> probeIds) {
            if (mode == Mode.DOWN) {
                throw new TimeoutException("broker down (fake)");
            }
            Set<String> found = new HashSet<>(log);
            found.retainAll(new HashSet<>(probeIds));
            return found;
        }

        /** How many times each id arrived. */
        List<Long> countsOf(List<String> ids) {
            List<Long> out = new ArrayList<>();
            for (String id : ids) {
                out.add(log.stream().filter(id::equals).count());
            }
            return out;
        }
    }
}
