package dev.tokenarena.probe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.probe.SpoolFixtures.FakeKafka;
import dev.tokenarena.probe.SpoolFixtures.Mode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolingResultSinkTest {

    @TempDir
    Path dir;

    private final FakeKafka kafka = new FakeKafka();

    private SpoolingResultSink sink(long maxBytes) {
        return new SpoolingResultSink(Spool.open(dir, maxBytes), kafka::producer, kafka, 5, 2000);
    }

    private static List<String> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "p" + i).toList();
    }

    @Test
    void shouldDeliverEveryResultOnceInOrderWhenKafkaReturnsAfterAnOutage() {
        kafka.mode = Mode.DOWN;
        List<String> ids = ids(5);
        try (SpoolingResultSink sink = sink(1 << 20)) {
            ids.forEach(id -> sink.accept(SpoolFixtures.result(id)));
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.failedAttempts() >= 2);
            assertEquals(5, sink.pendingRecords());
            assertEquals(List.of(), kafka.log);
            kafka.mode = Mode.UP;
            assertTrue(sink.awaitDrained(Duration.ofSeconds(10)));
            assertEquals(ids, kafka.log, "each result once, in spool order");
            assertEquals(5, sink.delivered());
        }
    }

    @Test
    void shouldNotResendResultsKafkaStoredWhenTheirAcksWereLost() {
        kafka.mode = Mode.ACK_LOST;
        List<String> ids = ids(3);
        try (SpoolingResultSink sink = sink(1 << 20)) {
            ids.forEach(id -> sink.accept(SpoolFixtures.result(id)));
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.failedAttempts() >= 1);
            kafka.mode = Mode.UP;
            assertTrue(sink.awaitDrained(Duration.ofSeconds(10)));
            // The first attempt stored all 3 and reported failure; the dedupe scan found them.
            assertEquals(List.of(1L, 1L, 1L), kafka.countsOf(ids));
            assertEquals(3, sink.duplicatesSkipped());
        }
    }

    @Test
    void shouldSendOnlyTheMissingResultsWhenRestartedBetweenAckAndCommit() throws Exception {
        // A previous run spooled p0..p3; Kafka acked p0 and p1 but the run stopped before committing.
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            for (String id : ids(4)) {
                ByteBuffer b = SpoolFixtures.result(id).toByteBuffer();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                spool.append(bytes);
            }
        }
        kafka.log.addAll(List.of("p0", "p1"));
        try (SpoolingResultSink sink = sink(1 << 20)) {
            assertTrue(sink.awaitDrained(Duration.ofSeconds(10)));
            assertEquals(List.of("p0", "p1", "p2", "p3"), kafka.log);
            assertEquals(2, sink.duplicatesSkipped());
            assertEquals(2, sink.delivered());
        }
    }

    @Test
    void shouldKeepPendingResultsOnDiskWhenClosedWhileKafkaIsDown() {
        kafka.mode = Mode.DOWN;
        try (SpoolingResultSink sink = new SpoolingResultSink(Spool.open(dir, 1 << 20), kafka::producer, kafka, 5, 0)) {
            ids(3).forEach(id -> sink.accept(SpoolFixtures.result(id)));
        }
        kafka.mode = Mode.UP;
        try (SpoolingResultSink sink = sink(1 << 20)) {
            assertTrue(sink.awaitDrained(Duration.ofSeconds(10)));
            assertEquals(ids(3), kafka.log);
        }
    }

    @Test
    void shouldRefuseAndCountWhenSpoolIsFull() {
        kafka.mode = Mode.DOWN;
        try (SpoolingResultSink sink = new SpoolingResultSink(Spool.open(dir, 64 * 1024), kafka::producer, kafka, 5, 0)) {
            int accepted = 0;
            Spool.SpoolFullException full = null;
            while (full == null) {
                try {
                    sink.accept(SpoolFixtures.result("p" + accepted));
                    accepted++;
                } catch (Spool.SpoolFullException e) {
                    full = e;
                }
            }
            assertTrue(full.getMessage().contains("spool.max.bytes=65536"), full.getMessage());
            assertEquals(1, sink.rejected());
            assertEquals(accepted, sink.pendingRecords());
            assertThrows(Spool.SpoolFullException.class, () -> sink.accept(SpoolFixtures.result("again")));
            assertEquals(2, sink.rejected());
        }
    }
}
