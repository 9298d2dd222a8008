package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RendezvousTest {

    /**
     * Hand-made weights, so owners can be read off the table: the owner of a column is its row
     * with the largest number.
     * <pre>
     *       e1 e2 e3 e4 e5 e6
     *   a    9  2  7  1  6  3
     *   b    4  8  6  2  3  9
     *   c    1  5  3  7  8  4
     * </pre>
     */
    private static final Map<String, int[]> TABLE = Map.of(
            "a", new int[] {9, 2, 7, 1, 6, 3},
            "b", new int[] {4, 8, 6, 2, 3, 9},
            "c", new int[] {1, 5, 3, 7, 8, 4});
    private static final Rendezvous BY_TABLE = new Rendezvous(
            (agent, endpoint) -> TABLE.get(agent)[Integer.parseInt(endpoint.substring(1)) - 1]);
    private static final List<String> ENDPOINTS = List.of("e1", "e2", "e3", "e4", "e5", "e6");

    private static Map<String, String> owners(Rendezvous r, Set<String> agents, List<String> endpoints) {
        Map<String, String> out = new TreeMap<>();
        for (String e : endpoints) {
            out.put(e, r.owner(e, agents));
        }
        return out;
    }

    @Test
    void shouldGiveEachEndpointToTheAgentWithTheHighestWeightWhenAllAreLive() {
        // e1: a9>b4>c1, e2: b8>c5>a2, e3: a7>b6>c3, e4: c7>b2>a1, e5: c8>a6>b3, e6: b9>c4>a3
        assertEquals(Map.of("e1", "a", "e2", "b", "e3", "a", "e4", "c", "e5", "c", "e6", "b"),
                owners(BY_TABLE, Set.of("a", "b", "c"), ENDPOINTS));
    }

    @Test
    void shouldMoveOnlyTheLeaversEndpointsEachToItsSecondChoiceWhenAnAgentLeaves() {
        // b owned e2 and e6. Without b: e2 goes to c (5 > a's 2), e6 to c (4 > a's 3); the other
        // four keep their owners: nothing moves between a and c.
        assertEquals(Map.of("e1", "a", "e2", "c", "e3", "a", "e4", "c", "e5", "c", "e6", "c"),
                owners(BY_TABLE, Set.of("a", "c"), ENDPOINTS));
        // Without a instead: e1 goes to b (4 > 1), e3 to b (6 > 3).
        assertEquals(Map.of("e1", "b", "e2", "b", "e3", "b", "e4", "c", "e5", "c", "e6", "b"),
                owners(BY_TABLE, Set.of("b", "c"), ENDPOINTS));
    }

    @Test
    void shouldBreakATieByTheSmallerAgentIdWhateverTheOrder() {
        Rendezvous flat = new Rendezvous((agent, endpoint) -> 42);
        assertEquals("a", flat.owner("e1", List.of("c", "a", "b")));
        assertEquals("a", flat.owner("e1", List.of("b", "c", "a")));
        assertNull(flat.owner("e1", List.of()));
    }

    @Test
    void shouldCompareWeightsAsUnsignedNumbers() {
        // -1 is 2^64 - 1 unsigned: the largest weight there is, not the smallest.
        Rendezvous r = new Rendezvous((agent, endpoint) -> agent.equals("x") ? -1L : Long.MAX_VALUE);
        assertEquals("x", r.owner("e", List.of("y", "x")));
    }

    @Test
    void shouldHashWithStandardFnv1aSoEveryVersionAgreesOnOwners() {
        // Published FNV-1a 64-bit test vectors (the FNV reference, isthe.com/chongo/tech/comp/fnv).
        assertEquals(0xcbf29ce484222325L, Rendezvous.fnv(Rendezvous.FNV_OFFSET_BASIS, new byte[0]));
        assertEquals(0xaf63dc4c8601ec8cL, Rendezvous.fnv(Rendezvous.FNV_OFFSET_BASIS, "a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0x85944171f73967e8L, Rendezvous.fnv(Rendezvous.FNV_OFFSET_BASIS, "foobar".getBytes(StandardCharsets.UTF_8)));
        // murmur3's finalizer fixes 0 and is a bijection (so it cannot add collisions).
        assertEquals(0L, Rendezvous.fmix64(0));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assertTrue(Rendezvous.HASH.of("ab", "c") != Rendezvous.HASH.of("a", "bc"));
    }

    @Test
    void shouldShareEvenlyWhenThreeAgentsSplitThreeThousandEndpoints() {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            endpoints.add("provider-" + (i % 7) + "/model-" + i + "/us-east");
        }
        Set<String> agents = Set.of("probe-us-east-0", "probe-us-east-1", "probe-us-east-2");
        Rendezvous r = new Rendezvous(Rendezvous.HASH);
        Map<String, Integer> share = new HashMap<>();
        owners(r, agents, endpoints).values().forEach(a -> share.merge(a, 1, Integer::sum));
        // Each endpoint is a fair 1-in-3 draw: 1000 expected, binomial sd sqrt(3000 x 1/3 x 2/3) = 25.8;
        // 900..1100 is nearly 4 sd, so only a biased hash fails this.
        assertEquals(agents, share.keySet());
        for (int n : share.values()) {
            assertTrue(n >= 900 && n <= 1100, "uneven share: " + share);
        }
    }

    @Test
    void shouldMoveOnlyWhatTheLeaverOwnedAndGiveTheNewcomerOnlyItsOwnWhenMembershipChanges() {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            endpoints.add("ep-" + i);
        }
        Rendezvous r = new Rendezvous(Rendezvous.HASH);
        Map<String, String> three = owners(r, Set.of("a", "b", "c"), endpoints);
        Map<String, String> two = owners(r, Set.of("a", "c"), endpoints);
        Map<String, String> four = owners(r, Set.of("a", "b", "c", "d"), endpoints);
        int moved = 0;
        for (String e : endpoints) {
            if (!three.get(e).equals("b")) {
                assertEquals(three.get(e), two.get(e), e + " moved though its owner stayed");
            } else {
                moved++;
            }
            if (!four.get(e).equals("d")) {
                assertEquals(three.get(e), four.get(e), e + " moved between old agents when d joined");
            }
        }
        // b owned about a third of 600; all of those and only those moved.
        assertTrue(moved > 150 && moved < 250, "b owned " + moved);
        long changed = endpoints.stream().filter(e -> !three.get(e).equals(two.get(e))).count();
        assertEquals(moved, changed, "endpoints that changed owner when b left");
        assertTrue(two.values().stream().noneMatch("b"::equals));
    }

    @Test
    void shouldNotDependOnTheOrderAgentsAreListed() {
        List<String> agents = new ArrayList<>(List.of("a", "b", "c", "d", "e"));
        Rendezvous r = new Rendezvous(Rendezvous.HASH);
        Map<String, String> sorted = owners(r, new TreeSet<>(agents), List.of("x", "y", "z", "w"));
        Random random = new Random(7);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(agents, random);
            for (String e : sorted.keySet()) {
                assertEquals(sorted.get(e), r.owner(e, agents));
            }
        }
    }
}
