package dev.tokenarena.scoring;

import static dev.tokenarena.scoring.Events.MINUTE;
import static dev.tokenarena.scoring.Events.T0;
import static dev.tokenarena.scoring.Events.position;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The replay variant of the topology (in-memory stores, re-keyed records handed on without
 * repartition topics, outputs serialized straight to the replay's producer) must reach the same
 * alerts and composites as the live topology on the same input. The input exercises every chain
 * the variant changes: canaries by (model, canary) and back by endpoint, fingerprints by (model,
 * prompt), summaries by model, composites by preset.
 */
class ReplayTopologyTest {

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
     * on so the punctuations emit.
     */
    private static void scenario(Fixture f) {
        f.pipe(f.endpoints, "ref", Events.endpoint("ref", "m", true, T0));
        f.pipe(f.endpoints, "e1", Events.endpoint("e1", "m", false, T0));
        f.pipe(f.prices, "ref", Events.price("ref", 1.0, 2.0, T0));
        f.pipe(f.prices, "e1", Events.price("e1", 0.5, 1.0, T0));
        String[] ref = {"A", "B", "A"};
        for (int i = 0; i < 3; i++) {
            f.pipe(f.probes, "ref", canary("ref", T0 + i * MINUTE, ref[i]));
        }
        for (String p : List.of("p1", "p2")) {
            f.pipe(f.fingerprints, "ref", Events.fingerprint("ref", "m", p, T0 + MINUTE, GOOD));
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", p, T0 + 2 * MINUTE, GOOD));
        }
        long t = T0 + 3 * MINUTE;
        String[] e1 = {"C", "C", "C", "C", "A"};
        List<FingerprintPosition>[] prints = List.of(BAD, BAD, GOOD, GOOD, GOOD).toArray(new List[0]);
        for (int i = 0; i < e1.length; i++) {
            t += MINUTE;
            f.pipe(f.probes, "e1", canary("e1", t, e1[i]));
            f.pipe(f.fingerprints, "e1", Events.fingerprint("e1", "m", i % 2 == 0 ? "p1" : "p2", t, prints[i]));
            f.pipe(f.probes, "e1", Events.probe("e1", t).setTtftMs(100.0 + i).build());
            f.pipe(f.probes, "ref", Events.probe("ref", t).setTtftMs(200.0 + i).build());
        }
        f.pipe(f.endpoints, "clock", Events.endpoint("clock", "clock-model", false, t + 5 * MINUTE));
    }

    private static <T extends SpecificRecord> List<T> direct(Fixture f, dev.tokenarena.schemas.TopicSpec<T> topic) {
        AvroWireSerde<T> serde = AvroWireSerde.forTopic(topic, f.registry);
        List<T> out = new ArrayList<>();
        for (Fixture.Direct d : f.direct) {
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
            scenario(live);
            liveAlerts = live.alerts.readValuesToList();
            liveComposites = live.composites.readValuesToList();
        }
        try (Fixture replay = Fixture.replay(params)) {
            scenario(replay);
            List<DriftAlert> replayAlerts = direct(replay, Topics.ALERTS);
            List<EndpointComposite> replayComposites = direct(replay, Topics.COMPOSITES);
            assertEquals(0, replay.alerts.getQueueSize() + replay.composites.getQueueSize(),
                    "the replay variant writes its outputs directly, not to the driver");
            // both kinds the variant re-routes opened and resolved: OPEN + RESOLVED each
            assertEquals(2, replayAlerts.stream().filter(a -> a.getKind().equals("CANARY_HASH")).count(),
                    replayAlerts.toString());
            assertEquals(2, replayAlerts.stream().filter(a -> a.getKind().equals("FIDELITY")).count(),
                    replayAlerts.toString());
            assertEquals(sorted(liveAlerts), sorted(replayAlerts));
            // e1 and ref in every preset of the 1 h window at least
            assertTrue(latest(replayComposites).containsKey("e1/chat/1h"), latest(replayComposites).keySet().toString());
            assertEquals(latest(liveComposites).keySet(), latest(replayComposites).keySet());
            assertEquals(latest(liveComposites), latest(replayComposites));
        }
    }
}
