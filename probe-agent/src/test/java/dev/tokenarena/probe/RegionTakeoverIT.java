package dev.tokenarena.probe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.testing.LogCapture;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three agents of one region on a real broker share twelve endpoints of a local server through
 * heartbeats; one stops (cleanly, or as if killed) and the other two take its endpoints within
 * one round, then probe each endpoint exactly once a round between them.
 */
class RegionTakeoverIT {

    private static final long ROUND_MS = 2_000;
    /**
     * Killed: heartbeat every 200 ms, so a peer without one for 3 x 200 = 600 ms is dead. Clean
     * stop: every 500 ms, a 1,500 ms window, so a handover within 500 ms can only be the tombstone's.
     */
    private static final long HEARTBEAT_KILLED_MS = 200;
    private static final long HEARTBEAT_CLEAN_MS = 500;
    /** Time for a tombstone or the last heartbeat's expiry to reach the survivors' next round (poll 50 ms). */
    private static final long PROPAGATION_MS = 500;

    private record Probe(String agent, long round, String endpoint, long atMs) {
    }

    @Test
    void shouldHandTheStoppedAgentsEndpointsToTheOthersWithinOneRoundWhenItLeavesCleanly() throws Exception {
        run(false);
    }

    @Test
    void shouldHandTheKilledAgentsEndpointsToTheOthersWithinOneRoundAfterItsHeartbeatExpires() throws Exception {
        run(true);
    }

    private void run(boolean killed) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        kafka.createTopics(List.of(Topics.AGENT_HEARTBEATS.newTopic((short) 1), Topics.SCHEMAS.newTopic((short) 1)));
        // A region of its own: heartbeats of other runs on the shared broker belong to other regions.
        long heartbeatMs = killed ? HEARTBEAT_KILLED_MS : HEARTBEAT_CLEAN_MS;
        String region = "it-" + (killed ? "kill-" : "stop-") + System.nanoTime();
        // Fixed ids, so the shares are fixed too (rendezvous depends only on the ids): with these 12
        // endpoints each agent owns at least two, checked below.
        String suffix = killed ? "-k" : "-s";
        List<String> ids = List.of("agent-a" + suffix, "agent-b" + suffix, "agent-c" + suffix);
        List<Probe> probes = new CopyOnWriteArrayList<>();
        List<KafkaMembership> members = new ArrayList<>();
        List<ProbeAgent> agents = new ArrayList<>();
        try (LogCapture logs = new LogCapture();
             RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0);
             FakeLlmServer server = new FakeLlmServer()) {
            server.script(ProbeAgentTest::answer);
            RestSchemaRegistryClient registryClient = new RestSchemaRegistryClient(registry.url());
            List<Endpoint> endpoints = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                endpoints.add(Endpoint.newBuilder(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat"))
                        .setEndpointId("ep-" + i).build());
            }
            Set<String> all = endpoints.stream().map(Endpoint::getEndpointId).collect(Collectors.toSet());
            Rendezvous rendezvous = new Rendezvous(Rendezvous.HASH);
            for (String id : ids) {
                long owned = all.stream().filter(e -> id.equals(rendezvous.owner(e, ids))).count();
                assertTrue(owned >= 2, id + " owns only " + owned + " endpoints: pick other ids");
            }
            try {
                for (String id : ids) {
                    Map<String, String> cfg = ProbeAgentTest.baseConfig();
                    cfg.putAll(Map.of("bootstrap.servers", kafka.bootstrapServers(), "schema.registry.url", registry.url(),
                            "region", region, "agent.id", id, "round.interval.ms", Long.toString(ROUND_MS),
                            "round.jitter.fraction", "0", "heartbeat.interval.ms", Long.toString(heartbeatMs),
                            "input.tokens", "100", "concurrency", "1", "canary.count", "0"));
                    cfg.put("needle.every.rounds", "1000000");
                    cfg.put("needle.lengths", "150");
                    ProbeAgentConfig config = new ProbeAgentConfig(cfg);
                    KafkaMembership m = KafkaMembership.start(config, registryClient, Clock.systemUTC(), Ticker.SYSTEM);
                    members.add(m);
                    agents.add(new ProbeAgent(config, () -> endpoints, r -> {
                        if (ProbeRequest.TIMING.equals(r.getKind())) {
                            probes.add(new Probe(r.getAgentId(), r.getRound(), r.getEndpointId(), r.getStartedAtMs()));
                        }
                    }, Clock.systemUTC(), Ticker.SYSTEM, name -> null, new ProbeMetrics(), x -> null, m));
                }
                // A record that is not a heartbeat is skipped, logged (once a minute per agent) and
                // counted, and breaks nothing.
                List<Long> before = members.stream().map(KafkaMembership::undecodable).toList();
                try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                             Map.of("bootstrap.servers", kafka.bootstrapServers()),
                             new org.apache.kafka.common.serialization.StringSerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.AGENT_HEARTBEATS.name(),
                            "junk-" + region, new byte[] {9, 9, 9})).get();
                    await().atMost(Duration.ofSeconds(20)).until(() -> members.get(0).undecodable() > before.get(0)
                            && members.get(1).undecodable() > before.get(1) && members.get(2).undecodable() > before.get(2));
                    assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("undecodable heartbeat skipped at "
                            + Topics.AGENT_HEARTBEATS.name() + "/0@")), logs.lines().toString());
                }
                // Every agent sees all three before the first round, as agents that were already running would.
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        members.stream().allMatch(m -> m.liveAgents().equals(new TreeSet<>(ids))));
                agents.forEach(ProbeAgent::start);
                await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> rounds(probes, id).size() >= 3));

                // Three live: in each of rounds 0 and 1 (complete: round 2 has begun, rounds never
                // overlap), each endpoint probed by exactly one agent.
                for (long round = 0; round < 2; round++) {
                    assertPartition(probes, ids, round, all);
                }
                Set<String> leaverShare = share(probes, ids.get(2), 1);
                assertEquals(all.stream().filter(e -> ids.get(2).equals(rendezvous.owner(e, ids))).collect(Collectors.toSet()),
                        leaverShare, "c probed its rendezvous share");

                long stopAt = System.currentTimeMillis();
                agents.get(2).close();
                if (killed) {
                    members.get(2).halt();
                } else {
                    members.get(2).close();
                }
                long stoppedAt = System.currentTimeMillis();
                List<String> survivors = ids.subList(0, 2);
                if (!killed) {
                    // The tombstone, not expiry: c's last heartbeat is live for at least 1,500 - 500 ms more.
                    await().atMost(Duration.ofMillis(PROPAGATION_MS)).until(() -> members.subList(0, 2).stream()
                            .allMatch(m -> m.liveAgents().equals(new TreeSet<>(survivors))));
                }
                long firstAfter = rounds(probes, ids.get(0)).size();
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        survivors.stream().allMatch(id -> rounds(probes, id).size() >= firstAfter + 4));
                assertTrue(probes.stream().noneMatch(p -> p.agent().equals(ids.get(2)) && p.atMs() > stoppedAt),
                        "the stopped agent probed after it stopped");

                // Within one round: every endpoint c had is probed by a survivor no later than one round
                // interval after c stopped, plus the propagation allowance (and, killed, the 600 ms expiry).
                long deadline = stoppedAt + ROUND_MS + PROPAGATION_MS + (killed ? 3 * heartbeatMs : 0);
                for (String e : leaverShare) {
                    assertTrue(probes.stream().anyMatch(p -> p.endpoint().equals(e) && survivors.contains(p.agent())
                                    && p.atMs() >= stopAt && p.atMs() <= deadline),
                            e + " not taken over by " + deadline + " (stopped " + stoppedAt + "): " + probes);
                }

                // Settled: the survivors' rounds that started after the deadline split all twelve endpoints
                // between them, each exactly once a round. Rounds of both started together (no jitter),
                // so round numbers line up.
                long settled = rounds(probes, ids.get(0)).entrySet().stream()
                        .filter(r -> r.getValue() > deadline).mapToLong(Map.Entry::getKey).min().orElseThrow();
                int checked = 0;
                // A round is complete once the agent's next round has begun.
                for (long round = settled; rounds(probes, ids.get(0)).containsKey(round + 1)
                        && rounds(probes, ids.get(1)).containsKey(round + 1); round++) {
                    assertPartition(probes, survivors, round, all);
                    checked++;
                }
                assertTrue(checked >= 2, "settled rounds checked: " + checked);
            } finally {
                agents.forEach(ProbeAgent::close);
                members.forEach(KafkaMembership::close);
            }
        }
    }

    /** Start (earliest probe) of each round of an agent, by round number. */
    private static Map<Long, Long> rounds(List<Probe> probes, String agent) {
        Map<Long, Long> out = new TreeMap<>();
        for (Probe p : probes) {
            if (p.agent().equals(agent)) {
                out.merge(p.round(), p.atMs(), Math::min);
            }
        }
        return out;
    }

    private static Set<String> share(List<Probe> probes, String agent, long round) {
        return probes.stream().filter(p -> p.agent().equals(agent) && p.round() == round)
                .map(Probe::endpoint).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertPartition(List<Probe> probes, List<String> agents, long round, Set<String> all) {
        Set<String> union = new HashSet<>();
        for (String agent : agents) {
            List<String> probed = probes.stream().filter(p -> p.agent().equals(agent) && p.round() == round)
                    .map(Probe::endpoint).toList();
            assertEquals(new HashSet<>(probed).size(), probed.size(), agent + " probed an endpoint twice in round " + round);
            for (String e : probed) {
                assertTrue(union.add(e), e + " probed by two agents in round " + round + ": " + probes);
            }
        }
        assertEquals(all, union, "round " + round + " of " + agents);
    }
}
