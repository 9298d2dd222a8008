package dev.tokenarena.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The scoring harness end to end at a tiny size on a real embedded broker: every figure is
 * reported and nothing is diverted. No speed is asserted: benchmarks are not tests.
 */
@Tag("slow")
class ScoringBenchIT {

    @Test
    void shouldScoreEveryPreloadedEventWhenTheFleetIsTiny() throws Exception {
        JsonNode r = ProbeBenchTest.run(new ScoringBench(), "--events", "600", "--endpoints", "6", "--regions", "2",
                "--freshness-rate", "200", "--freshness-seconds", "2", "--freshness-warmup-seconds", "1", "--floor", "--json");
        assertEquals(600, r.path("events").asLong());
        assertEquals(0, r.path("throughput_run").path("dead_letters").asLong(), r.toString());
        for (String f : new String[] {"events_per_s", "baseline_events_per_s", "ratio", "freshness_ms_p99"}) {
            assertTrue(r.path(f).isNumber(), f + " missing in " + r);
        }
        assertEquals(0, r.path("floor_run").path("dead_letters").asLong(), r.toString());
        for (String f : new String[] {"floor_events_per_s", "floor_events_per_cpu_s", "ratio_to_floor"}) {
            assertTrue(r.path(f).asDouble() > 0, f + " missing or not positive in " + r);
        }
        // floor_run reports every field throughput_run does (the two come from one helper)
        r.path("throughput_run").fieldNames().forEachRemaining(f -> {
            if (!f.equals("scoring_config_hash")) {
                assertTrue(r.path("floor_run").has(f), "floor_run lacks " + f + ": " + r);
            }
        });
        assertTrue(r.path("floor_run").path("stream_thread_cpu_ms").asLong() > 0, r.toString());
        JsonNode fresh = r.path("freshness_run");
        assertTrue(fresh.path("events_matched").asLong() > 0, r.toString());
        // the measured window's CPU, JIT included, and its busiest threads, the app's stream thread among them
        assertTrue(fresh.path("window_cpu_cores").asDouble() > 0, r.toString());
        assertTrue(fresh.path("window_jit_cores").isNumber(), r.toString());
        assertTrue(fresh.path("window_cores_by_thread_group").toString().contains("StreamThread"), r.toString());
    }
}
