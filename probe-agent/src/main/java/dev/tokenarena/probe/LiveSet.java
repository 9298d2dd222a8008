package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.AgentHeartbeat;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The agents known to be alive, from their heartbeats. An agent is live while its latest
 * heartbeat is younger than {@code multiple x} its own {@code interval_ms}; a tombstone removes it
 * at once.
 *
 * <p>Age is measured on the monotonic ticker from when the heartbeat arrived, not by comparing
 * wall clocks on every check, so a wall-clock step on this machine cannot revive or kill anyone.
 * Wall time is used once, on arrival: a heartbeat that was already old when it arrived (read back
 * from the compacted topic at start, or delivered late after an outage) is backdated by its age
 * {@code now - at_ms}. That one comparison assumes agents' clocks agree to well within an
 * interval (NTP), and a clock ahead of ours only makes a heartbeat look fresh, never stale.
 */
final class LiveSet {

    private record Seen(String region, long intervalMs, long seenNanos) {
    }

    private final Clock wallClock;
    private final Ticker ticker;
    private final double multiple;
    private final Map<String, Seen> byAgent = new HashMap<>();

    LiveSet(Clock wallClock, Ticker ticker, double multiple) {
        if (!(multiple >= 1)) {
            throw new IllegalArgumentException("liveness multiple must be >= 1, got " + multiple);
        }
        this.wallClock = wallClock;
        this.ticker = ticker;
        this.multiple = multiple;
    }

    /** Records a heartbeat as seen now, backdated by how old it already was. */
    synchronized void heartbeat(AgentHeartbeat hb) {
        long ageMs = Math.max(0, wallClock.millis() - hb.getAtMs());
        long seen = ticker.nanos() - ageMs * 1_000_000L;
        Seen before = byAgent.get(hb.getAgentId());
        if (before != null && before.seenNanos() - seen > 0) {
            seen = before.seenNanos(); // an older heartbeat arriving late does not age a fresher one
        }
        byAgent.put(hb.getAgentId(), new Seen(hb.getRegion(), hb.getIntervalMs(), seen));
    }

    /**
     * The agent stopped cleanly (a tombstone): it is gone now, not after its heartbeats expire.
     *
     * @return the region it was in, or null when it was not known
     */
    synchronized String left(String agentId) {
        Seen removed = byAgent.remove(agentId);
        return removed == null ? null : removed.region();
    }

    /** Live agents of {@code region}, sorted by id. */
    synchronized SortedSet<String> live(String region) {
        long now = ticker.nanos();
        SortedSet<String> out = new TreeSet<>();
        byAgent.forEach((id, s) -> {
            if (s.region().equals(region) && now - s.seenNanos() <= (long) (multiple * s.intervalMs() * 1_000_000L)) {
                out.add(id);
            }
        });
        return out;
    }
}
