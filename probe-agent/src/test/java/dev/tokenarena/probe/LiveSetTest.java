package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.schemas.v1.AgentHeartbeat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveSetTest {

    private final TestClocks.ManualClock wall = new TestClocks.ManualClock(1_000_000);
    private final TestClocks.ManualTicker ticker = new TestClocks.ManualTicker();
    private final LiveSet live = new LiveSet(wall, ticker, 3.0);

    private static AgentHeartbeat hb(String id, String region, long intervalMs, long atMs) {
        return AgentHeartbeat.newBuilder().setAgentId(id).setRegion(region).setIntervalMs(intervalMs).setAtMs(atMs).build();
    }

    @Test
    void shouldKeepAnAgentLiveForThreeOfItsIntervalsAfterItsLastHeartbeat() {
        live.heartbeat(hb("a", "us-east", 100, wall.millis()));
        // 3 x 100 ms: live at exactly 300 ms, gone at 301 ms
        ticker.advanceMillis(300);
        assertEquals(Set.of("a"), live.live("us-east"));
        ticker.advanceMillis(1);
        assertEquals(Set.of(), live.live("us-east"));
        // a fresh heartbeat revives it
        live.heartbeat(hb("a", "us-east", 100, wall.millis()));
        assertEquals(Set.of("a"), live.live("us-east"));
    }

    @Test
    void shouldBackdateAHeartbeatThatWasAlreadyOldWhenItArrived() {
        // Sent 200 ms ago (read back at start): 300 - 200 = 100 ms of life left.
        live.heartbeat(hb("a", "us-east", 100, wall.millis() - 200));
        // Sent 10 s ago: dead on arrival.
        live.heartbeat(hb("b", "us-east", 100, wall.millis() - 10_000));
        assertEquals(Set.of("a"), live.live("us-east"));
        ticker.advanceMillis(100);
        assertEquals(Set.of("a"), live.live("us-east"));
        ticker.advanceMillis(1);
        assertEquals(Set.of(), live.live("us-east"));
    }

    @Test
    void shouldNotAgeAFreshHeartbeatWhenAnOlderOneArrivesLate() {
        live.heartbeat(hb("a", "us-east", 100, wall.millis()));
        live.heartbeat(hb("a", "us-east", 100, wall.millis() - 250));
        ticker.advanceMillis(300);
        assertEquals(Set.of("a"), live.live("us-east"), "still timed from the fresh heartbeat");
    }

    @Test
    void shouldDropAnAgentAtOnceWhenItsTombstoneArrives() {
        live.heartbeat(hb("a", "us-east", 100, wall.millis()));
        live.heartbeat(hb("b", "us-east", 100, wall.millis()));
        live.left("a");
        assertEquals(Set.of("b"), live.live("us-east"));
    }

    @Test
    void shouldJudgeEachAgentByItsOwnIntervalAndKeepRegionsApart() {
        live.heartbeat(hb("slow", "us-east", 1_000, wall.millis()));
        live.heartbeat(hb("fast", "us-east", 100, wall.millis()));
        live.heartbeat(hb("eu", "eu-central", 1_000, wall.millis()));
        ticker.advanceMillis(301);
        // fast: 301 > 3 x 100; slow: 301 <= 3 x 1000
        assertEquals(Set.of("slow"), live.live("us-east"));
        assertEquals(Set.of("eu"), live.live("eu-central"));
    }

    @Test
    void shouldIgnoreAWallClockStepAfterArrival() {
        live.heartbeat(hb("a", "us-east", 100, wall.millis()));
        wall.advanceMillis(3_600_000); // NTP jumps an hour: ages come from the ticker, so nothing changes
        ticker.advanceMillis(200);
        assertEquals(Set.of("a"), live.live("us-east"));
    }
}
