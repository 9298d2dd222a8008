package dev.tokenarena.probe;

import java.util.Set;

/**
 * Who shares this agent's region. The agent probes the endpoints whose rendezvous owner among
 * {@link #liveAgents()} is itself, recomputed at the start of every round.
 */
public interface Membership extends AutoCloseable {

    /** Ids of the live agents of this agent's region, itself always included. */
    Set<String> liveAgents();

    @Override
    void close();

    /** An agent alone in its region (no heartbeats): it owns every endpoint. */
    static Membership solo(String agentId) {
        return new Membership() {
            @Override
            public Set<String> liveAgents() {
                return Set.of(agentId);
            }

            @Override
            public void close() {
            }
        };
    }
}
