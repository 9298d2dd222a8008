package dev.tokenarena.scoring.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.scoring.ScoringParams;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayRequestTest {

    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-01-02T00:00:00Z");

    private static ReplayRequest request(Instant from, Instant to, String ns) {
        return new ReplayRequest(from, to, ScoringParams.defaults(), ns, "localhost:9092", Path.of("target"), null);
    }

    @Test
    void shouldRefuseWhenRangeIsEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request(T2, T1, "n"));
        assertTrue(e.getMessage().contains("--from 2026-01-02T00:00:00Z must be before --to"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> request(T1, T1, "n"));
    }

    @Test
    void shouldRefuseWhenNamespaceIsBlankOrHasDots() {
        // blank would write to the live v1 topics; a dot would nest namespaces
        assertThrows(IllegalArgumentException.class, () -> request(T1, T2, ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request(T1, T2, "a.b"));
        assertTrue(e.getMessage().contains("--as") || e.getMessage().contains("<topic>.NAME"), e.getMessage());
    }

    @Test
    void shouldReportNothingWhenNoProgressCallbackIsGiven() {
        ReplayRequest r = request(T1, T2, "whatif-1");
        r.progress().update(1, 2); // the no-op default, never null
        assertEquals("whatif-1", r.namespace());
    }
}
