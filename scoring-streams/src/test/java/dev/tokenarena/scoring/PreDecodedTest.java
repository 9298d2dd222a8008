package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.serde.WireFormat;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** The replay's probe stage takes the reader's decoded value only for the very bytes it was decoded from. */
class PreDecodedTest {

    private final AvroWireSerde<ProbeResult> serde = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, new InMemorySchemaRegistry());
    private final PreDecoded preDecoded = new PreDecoded();
    private final Deserializer<ProbeResult> source = preDecoded.over(ProbeResult.class, serde.deserializer());

    @Test
    void shouldReturnTheOfferedValueForTheSameBytesAndDecodeAnyOthers() {
        ProbeResult probe = Events.probe("e1", 1_000L).build();
        byte[] bytes = serde.encode(Topics.PROBE_RESULTS.name(), probe);
        preDecoded.offer(bytes, probe);
        assertSame(probe, source.deserialize(Topics.PROBE_RESULTS.name(), bytes));
        byte[] copy = Arrays.copyOf(bytes, bytes.length);
        ProbeResult decoded = source.deserialize(Topics.PROBE_RESULTS.name(), copy);
        assertNotSame(probe, decoded, "equal bytes in another array are decoded");
        assertEquals(probe, decoded);
        preDecoded.offer(bytes, "not a probe result");
        assertNotSame(probe, source.deserialize(Topics.PROBE_RESULTS.name(), bytes));
        preDecoded.clear();
        assertEquals(probe, source.deserialize(Topics.PROBE_RESULTS.name(), bytes));
    }

    @Test
    void shouldStillRefuseUndecodableBytesThatWereNotOffered() {
        preDecoded.offer(new byte[] {0, 0, 0, 0, 1}, Events.probe("e1", 1_000L).build());
        assertThrows(WireFormat.InvalidPayloadException.class,
                () -> source.deserialize(Topics.PROBE_RESULTS.name(), new byte[] {9, 9}));
    }
}
