package dev.tokenarena.scoring;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A processor's key-value store under compound keys (group + {@link ScoringTopology#KEY_SEPARATOR}
 * + member), with each group's values also kept decoded in memory once the group is read whole.
 *
 * <p>Why: the cohort scorer and the leaderboard builder read a whole group (a model's summaries, a
 * board's composites) on every emission, and decoding those Avro records again each time was a
 * fifth of a replay's scoring stage. Every write goes through here, so a group in memory is never
 * older than the store; the memory is cleared with the processor (a restarted task reads each
 * group from the store once). In a replay ({@code writeStore} false: never restored, nothing else
 * reads the store) the memory is the only copy and the store is not written at all.
 *
 * <p>Members iterate in the store's key order (UTF-8 bytes, unsigned), as a prefix scan returns them.
 * Memory: one decoded value per key of the store.
 */
final class DecodedGroups<V> {

    private static final Comparator<String> STORE_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final KeyValueStore<String, V> store;
    private final boolean writeStore;
    private final Map<String, NavigableMap<String, V>> groups = new HashMap<>();

    DecodedGroups(KeyValueStore<String, V> store, boolean writeStore) {
        this.store = store;
        this.writeStore = writeStore;
    }

    /** The member's value, or null. */
    V get(String group, String member) {
        NavigableMap<String, V> g = groups.get(group);
        if (g != null) {
            return g.get(member);
        }
        return writeStore ? store.get(ScoringTopology.compositeKey(group, member)) : null;
    }

    void put(String group, String member, V value) {
        if (writeStore) {
            store.put(ScoringTopology.compositeKey(group, member), value);
            NavigableMap<String, V> g = groups.get(group);
            if (g != null) {
                g.put(member, value);
            }
        } else {
            groups.computeIfAbsent(group, k -> new TreeMap<>(STORE_ORDER)).put(member, value);
        }
    }

    /** The group's values in key order (read from the store the first time); do not modify them. */
    Collection<V> members(String group) {
        return groups.computeIfAbsent(group, this::load).values();
    }

    private NavigableMap<String, V> load(String group) {
        NavigableMap<String, V> out = new TreeMap<>(STORE_ORDER);
        if (!writeStore) {
            return out;
        }
        String prefix = ScoringTopology.compositeKey(group, "");
        try (KeyValueIterator<String, V> it = store.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, V> kv = it.next();
                out.put(kv.key.substring(prefix.length()), kv.value);
            }
        }
        return out;
    }
}
