package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The decoded copy of a grouped store must read as the store does: the same values after every
 * write, the same values from the store alone after a restart, members in the store's key order.
 */
class DecodedGroupsTest {

    /** Fullwidth A (U+FF21, UTF-8 EF BC A1) sorts before an emoji (U+1F600, UTF-8 F0 ...) in the store, after it in UTF-16. */
    private static final String FULLWIDTH = "\uFF21";
    private static final String EMOJI = "\uD83D\uDE00";

    private static KeyValueStore<String, Long> store() {
        KeyValueStore<String, Long> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("groups"),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private static List<Long> scan(KeyValueStore<String, Long> store, String group) {
        List<Long> out = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = store.prefixScan(ScoringTopology.compositeKey(group, ""),
                Serdes.String().serializer())) {
            it.forEachRemaining((KeyValue<String, Long> kv) -> out.add(kv.value));
        }
        return out;
    }

    @Test
    void shouldReadLikeTheStoreWhenWritingThrough() {
        KeyValueStore<String, Long> store = store();
        DecodedGroups<Long> groups = new DecodedGroups<>(store, true);
        groups.put("m", EMOJI, 1L);
        groups.put("m", "b", 2L);
        assertEquals(scan(store, "m"), new ArrayList<>(groups.members("m"))); // loaded from the store
        groups.put("m", FULLWIDTH, 3L); // into the loaded group and the store
        groups.put("m", "b", 4L);
        groups.put("other", "x", 5L); // a group not loaded: the store only
        assertEquals(List.of(4L, 3L, 1L), scan(store, "m"), "b, then U+FF21, then the emoji, by UTF-8 bytes");
        assertEquals(scan(store, "m"), new ArrayList<>(groups.members("m")));
        assertEquals(5L, groups.get("other", "x"));
        assertEquals(4L, groups.get("m", "b"));

        DecodedGroups<Long> restarted = new DecodedGroups<>(store, true);
        assertEquals(List.of(4L, 3L, 1L), new ArrayList<>(restarted.members("m")));
        assertEquals(List.of(5L), new ArrayList<>(restarted.members("other")));
    }

    @Test
    void shouldKeepAReplaysGroupsInMemoryOnlyInTheStoresOrder() {
        KeyValueStore<String, Long> store = store();
        DecodedGroups<Long> groups = new DecodedGroups<>(store, false);
        groups.put("m", EMOJI, 1L);
        groups.put("m", FULLWIDTH, 3L);
        groups.put("m", "b", 2L);
        assertEquals(List.of(2L, 3L, 1L), new ArrayList<>(groups.members("m")));
        assertEquals(3L, groups.get("m", FULLWIDTH));
        assertNull(groups.get("m", "absent"));
        assertEquals(List.of(), new ArrayList<>(groups.members("empty")));
        assertEquals(0, store.approximateNumEntries(), "a replay's store is not written");
    }
}
