package dev.tokenarena.standalone;

import dev.tokenarena.probe.ResultSink;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which endpoints one local probe agent has probed, counted on the way to its sink: agents of a
 * region pick their share themselves each round, so the runner learns the split only from what
 * they publish.
 */
final class AgentTally implements ResultSink {

    /** One agent's share so far. */
    record Share(String region, String agentId, SortedSet<String> endpoints, long results) {
    }

    private final String region;
    private final String agentId;
    private final ResultSink sink;
    private final Set<String> endpoints = ConcurrentHashMap.newKeySet();
    private final LongAdder results = new LongAdder();

    AgentTally(String region, String agentId, ResultSink sink) {
        this.region = region;
        this.agentId = agentId;
        this.sink = sink;
    }

    @Override
    public void accept(ProbeResult result) {
        endpoints.add(result.getEndpointId());
        results.increment();
        sink.accept(result);
    }

    String region() {
        return region;
    }

    String agentId() {
        return agentId;
    }

    Share share() {
        return new Share(region, agentId, new TreeSet<>(endpoints), results.sum());
    }
}
