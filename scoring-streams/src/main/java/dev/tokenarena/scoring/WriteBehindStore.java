package dev.tokenarena.scoring;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store whose processor may hold its latest writes in memory: just before Kafka
 * Streams flushes the store's cache for a commit, the processor's hook runs and writes what it
 * held, so those writes reach the changelog in the same transaction as the input offsets they
 * derive from. Nothing a commit covers is only in memory, and exactly-once holds.
 *
 * <p>Why: the probe-window processor wrote an endpoint's 5-minute bucket after every probe. At
 * live rates a bucket holds thousands of probes, and encoding it for every one of them was half
 * of the stream thread (docs/benchmarks.md, session 12). Written once per commit, a bucket is
 * encoded about once per commit interval instead of once per probe.
 *
 * <p>How: in {@code StreamTask.prepareCommit}, Kafka Streams flushes the cache of every registered
 * store (its internal {@code CachedStateStore} interface, which its own store layers implement)
 * before it flushes the record collector and commits the transaction with the offsets. This store
 * is the outermost layer, so it is the registered one and its {@link #flushCache} is called. A
 * task that is suspended or closed cleanly closes its processors before that flush, so a
 * processor using this store writes what it holds in {@code close()} as well. The hook must be
 * idempotent: it runs once per store that carries it. Tested on a real broker ({@code ScoringIT}:
 * once the offsets are committed, the changelog holds every probe of a bucket still open) and
 * with the test driver, which commits through the same path after every record.
 */
final class WriteBehindStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V>
        implements KeyValueStore<K, V> {

    private static final Runnable NONE = () -> { };

    private Runnable beforeCommit = NONE;

    private WriteBehindStore(KeyValueStore<K, V> inner) {
        super(inner);
    }

    /** The stores this builder builds carry a before-commit hook; every other setting is the inner builder's. */
    static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner) {
        return new Builder<>(inner);
    }

    /**
     * The write-behind store under a store handed out by a processor context (which wraps stores
     * in its own layers), or null when it is not one.
     */
    static WriteBehindStore<?, ?> find(StateStore store) {
        if (store instanceof WriteBehindStore<?, ?> found) {
            return found;
        }
        return store instanceof WrappedStateStore<?, ?, ?> wrapped ? wrapped.findInner(WriteBehindStore.class) : null;
    }

    /** What to write before each commit (replacing any earlier hook, as a re-initialized processor does). */
    void beforeCommit(Runnable hook) {
        this.beforeCommit = hook == null ? NONE : hook;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
        super.flushCache();
    }

    @Override
    public void close() {
        beforeCommit = NONE;
        super.close();
    }

    @Override
    public void put(K key, V value) {
        wrapped().put(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return wrapped().putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        wrapped().putAll(entries);
    }

    @Override
    public V delete(K key) {
        return wrapped().delete(key);
    }

    @Override
    public V get(K key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** Builds the inner store as configured and puts a write-behind layer around it. */
    private record Builder<K, V>(StoreBuilder<KeyValueStore<K, V>> inner) implements StoreBuilder<KeyValueStore<K, V>> {

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
            return new Builder<>(inner.withCachingEnabled());
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
            return new Builder<>(inner.withCachingDisabled());
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled());
        }

        @Override
        public KeyValueStore<K, V> build() {
            return new WriteBehindStore<>(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
