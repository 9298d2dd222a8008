package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static dev.tokenarena.scoring.Events.position;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.replay.ReplayPipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * A replay's two stages (the probe path, then the rest with in-memory stores, re-keyed records
 * handed on without repartition topics, outputs serialized straight to the replay's producer)
 * must reach the same alerts and composites as the live topology on the same input. The input
 * exercises every chain the replay changes: probe stats, needle and canary probes from the probe
 * stage into the scoring stage, canaries by (model, canary) and back by endpoint, fingerprints by
 * (model, prompt), summaries by model, composites by preset.
 */
class ReplayTopologyTest {

    /** Where the scenario's records go: the live topology, or a replay's two stages. */
    private interface Input {
        <T extends SpecificRecord> void pipe(TopicSpec<T> topic, String key, T value);
    }

    /** One record a replay handed to its output. */
    private record Direct(String topic, byte[] key, byte[] value, long timestampMs) {
    }

    /**
     * A replay of the scenario on the calling thread. Like the live fixture, its wall clock follows
     * the newest event time, so both make the same interim emissions.
     */
    private static final class Replay implements Input, AutoCloseable {
        final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        final List<Direct> direct = new ArrayList<>();
        final ReplayPipeline pipeline;
        private long newestEventMs = Long.MIN_VALUE;

        Replay(ScoringParams params) throws Exception {
            pipeline = new ReplayPipeline(params, registry, "", new DeadLetterCounter(),
                    (topic, key, value, ts, headers) -> direct.add(new Direct(topic, key, value, ts)),
                    Files.createTempDirectory(Path.of("target"), "replay-"));
        }

        @Override
        public <T extends SpecificRecord> void pipe(TopicSpec<T> topic, String key, T value) {
            long t = EventTimeExtractor.eventTime(value);
            pipeline.pipe(ReplayPipeline.Step.record(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                    AvroWireSerde.forTopic(topic, registry).encode(topic.name(), value), null, t, t));
            if (newestEventMs != Long.MIN_VALUE && t > newestEventMs) {
                pipeline.pipe(ReplayPipeline.Step.wallClock(Duration.ofMillis(t - newestEventMs), t));
            }
            newestEventMs = Math.max(newestEventMs, t);
        }

        @Override
        public void close() {
            pipeline.close();
        }
    }

    private static final List<FingerprintPosition> GOOD = List.of(position("x", 0.6, "y", 0.3));
    private static final List<FingerprintPosition> BAD = List.of(position("x", 0.6, "z", 0.3));

    private static ProbeResult canary(String endpoint, long at, String hash) {
        return Events.probe(endpoint, at).setKind("canary").setScenario("canary-0").setCanaryId("c1")
                .setResponseSha256(hash).build();
    }

    /**
     * Reference canary answers A, B, A; e1 answers C three times (an answer the reference never
     * gave: CANARY_HASH opens at the third) and then A (resolves). e1's fingerprints drift on both
     * prompts and recover (FIDELITY opens and resolves, as in FidelityAndAlertsTest). Timing probes
     * of both endpoints each minute give the composites; a last catalogue record moves stream time
     * on so the punctuations emit. Needle probes of e1 give it an effective context (32,768 tokens).
     */
    private static void scenario(Input f) {
        f.pipe(Topics.ENDPOINTS, "ref", Events.endpoint("ref", "m", true, T0));
        f.pipe(Topics.ENDPOINTS, "e1", Events.endpoint("e1", "m", false, T0));
        f.pipe(Topics.PRICES, "ref", Events.price("ref", 1.0, 2.0, T0));
        f.pipe(Topics.PRICES, "e1", Events.price("e1", 0.5, 1.0, T0));
        String[] ref = {"A", "B", "A"};
        for (int i = 0; i < 3; i++) {
            f.pipe(Topics.PROBE_RESULTS, "ref", canary("ref", T0 + i * MINUTE, ref[i]));
        }
        for (String p : List.of("p1", "p2")) {
            f.pipe(Topics.EVAL_FINGERPRINTS, "ref", Events.fingerprint("ref", "m", p, T0 + MINUTE, GOOD));
            f.pipe(Topics.EVAL_FINGERPRINTS, "e1", Events.fingerprint("e1", "m", p, T0 + 2 * MINUTE, GOOD));
        }
        long t = T0 + 3 * MINUTE;
        String[] e1 = {"C", "C", "C", "C", "A"};
        List<FingerprintPosition>[] prints = List.of(BAD, BAD, GOOD, GOOD, GOOD).toArray(new List[0]);
        for (int i = 0; i < e1.length; i++) {
            t += MINUTE;
            f.pipe(Topics.PROBE_RESULTS, "e1", canary("e1", t, e1[i]));
            f.pipe(Topics.EVAL_FINGERPRINTS, "e1", Events.fingerprint("e1", "m", i % 2 == 0 ? "p1" : "p2", t, prints[i]));
            f.pipe(Topics.PROBE_RESULTS, "e1", Events.probe("e1", t).setTtftMs(100.0 + i).build());
            f.pipe(Topics.PROBE_RESULTS, "ref", Events.probe("ref", t).setTtftMs(200.0 + i).build());
            f.pipe(Topics.PROBE_RESULTS, "e1", Events.needle("e1", t + 1, 32768, true));
        }
        f.pipe(Topics.ENDPOINTS, "clock", Events.endpoint("clock", "clock-model", false, t + 5 * MINUTE));
    }

    private static <T extends SpecificRecord> List<T> direct(Replay r, TopicSpec<T> topic) {
        AvroWireSerde<T> serde = AvroWireSerde.forTopic(topic, r.registry);
        List<T> out = new ArrayList<>();
        for (Direct d : r.direct) {
            if (d.topic().equals(topic.name())) {
                out.add(serde.decode(d.value()));
            }
        }
        return out;
    }

    /** The last composite per (endpoint, preset, window). */
    private static Map<String, EndpointComposite> latest(List<EndpointComposite> composites) {
        Map<String, EndpointComposite> out = new TreeMap<>();
        composites.forEach(c -> out.put(c.getEndpointId() + "/" + c.getPreset() + "/" + c.getWindow(), c));
        return out;
    }

    private static List<DriftAlert> sorted(List<DriftAlert> alerts) {
        List<DriftAlert> out = new ArrayList<>(alerts);
        out.sort(Comparator.comparing((DriftAlert a) -> a.getAlertId()).thenComparing(DriftAlert::getState)
                .thenComparingLong(DriftAlert::getEventTimeMs));
        return out;
    }

    @Test
    void shouldReachTheSameAlertsAndCompositesAsTheLiveTopology() throws Exception {
        ScoringParams params = ScoringParams.parse(
                ScoringParamsTest.defaultYaml().replace("min_prompts: 8", "min_prompts: 2"), "test");
        List<DriftAlert> liveAlerts;
        List<EndpointComposite> liveComposites;
        try (Fixture live = new Fixture(params)) {
            scenario(new Input() {
                @Override
                public <T extends SpecificRecord> void pipe(TopicSpec<T> topic, String key, T value) {
                    live.pipe(live.input(topic), key, value);
                }
            });
            liveAlerts = live.alerts.readValuesToList();
            liveComposites = live.composites.readValuesToList();
        }
        try (Replay replay = new Replay(params)) {
            scenario(replay);
            List<DriftAlert> replayAlerts = direct(replay, Topics.ALERTS);
            List<EndpointComposite> replayComposites = direct(replay, Topics.COMPOSITES);
            // both kinds the variant re-routes opened and resolved: OPEN + RESOLVED each
            assertEquals(2, replayAlerts.stream().filter(a -> a.getKind().equals("CANARY_HASH")).count(),
                    replayAlerts.toString());
            assertEquals(2, replayAlerts.stream().filter(a -> a.getKind().equals("FIDELITY")).count(),
                    replayAlerts.toString());
            assertEquals(sorted(liveAlerts), sorted(replayAlerts));
            // e1 and ref in every preset of the 1 h window at least
            assertTrue(latest(replayComposites).containsKey("e1/chat/1h"), latest(replayComposites).keySet().toString());
            assertEquals(32768L, latest(replayComposites).get("e1/chat/1h").getEffectiveContextTokens());
            assertEquals(latest(liveComposites).keySet(), latest(replayComposites).keySet());
            assertEquals(latest(liveComposites), latest(replayComposites));
        }
    }
}
