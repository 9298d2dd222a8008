package dev.tokenarena.scoring.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.schemas.serde.AvroJson;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries across instances. Which instance hosts a key comes from Kafka Streams'
 * metadata ({@link KafkaStreams#queryMetadataForKey}, fed by every instance's
 * {@code application.server}); a key hosted here is read from the local store, any other is
 * asked of its active host through the internal routes of {@link ApiHandler}. Only active
 * (not standby) stores answer, so a value is never stale by more than the commit interval.
 */
final class StoreRouter {

    static final String INTERNAL_KV = "/internal/kv";
    static final String INTERNAL_ALL = "/internal/all";
    static final String INTERNAL_WINDOWS = "/internal/windows";

    private final KafkaStreams streams;
    private final HostInfo self;
    private final PeerClient peers;
    private final StringSerializer keys = new StringSerializer();

    StoreRouter(KafkaStreams streams, HostInfo self, PeerClient peers) {
        this.streams = streams;
        this.self = self;
        this.peers = peers;
    }

    HostInfo self() {
        return self;
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    /** The active host of the partition {@code partitionKey} falls in, for {@code store}. */
    HostInfo owner(String store, String partitionKey) {
        KeyQueryMetadata meta;
        try {
            meta = streams.queryMetadataForKey(store, partitionKey, keys);
        } catch (IllegalStateException e) {
            throw new Unavailable("store " + store + " is not queryable yet: " + e.getMessage(), e);
        }
        if (meta == null || meta.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw new Unavailable("no instance hosts store " + store + " yet (rebalancing)");
        }
        return meta.activeHost();
    }

    boolean isSelf(HostInfo host) {
        return self.equals(host);
    }

    /**
     * Every instance that hosts a part of {@code store}. A standby-only host answers nothing for
     * it (only active stores are read), so no entry is counted twice.
     */
    List<HostInfo> hosts(String store) {
        Collection<StreamsMetadata> all = streams.streamsMetadataForStore(store);
        List<HostInfo> hosts = new ArrayList<>();
        for (StreamsMetadata m : all) {
            hosts.add(m.hostInfo());
        }
        if (hosts.isEmpty()) {
            throw new Unavailable("no instance hosts store " + store + " yet (rebalancing)");
        }
        hosts.sort((a, b) -> a.toString().compareTo(b.toString()));
        return hosts;
    }

    /** The value of {@code key} as JSON, null when absent, from wherever it is hosted. */
    JsonNode get(String store, String partitionKey, String key) {
        HostInfo owner = owner(store, partitionKey);
        if (isSelf(owner)) {
            return toJson(localGet(store, key));
        }
        PeerClient.Reply reply = peers.get(owner, INTERNAL_KV + "?store=" + enc(store) + "&key=" + enc(key)
                + "&pk=" + enc(partitionKey));
        if (reply.status() == 404) {
            return null;
        }
        return parse(owner, reply);
    }

    /** All entries of {@code store} on every host, as {"key", "value"} objects. */
    List<JsonNode> all(String store) {
        List<JsonNode> out = new ArrayList<>();
        for (HostInfo host : hosts(store)) {
            if (isSelf(host)) {
                localAll(store).forEach(out::add);
            } else {
                parse(host, peers.get(host, INTERNAL_ALL + "?store=" + enc(store))).forEach(out::add);
            }
        }
        return out;
    }

    /** Windows of {@code key} that start in [fromMs, toMs], as {"start_ms", "end_ms", "value"}. */
    List<JsonNode> windows(String store, String key, long fromMs, long toMs, ApiStores stores) {
        HostInfo owner = owner(store, key);
        List<JsonNode> out = new ArrayList<>();
        if (isSelf(owner)) {
            localWindows(store, key, fromMs, toMs, stores).forEach(out::add);
        } else {
            parse(owner, peers.get(owner, INTERNAL_WINDOWS + "?store=" + enc(store) + "&key=" + enc(key)
                    + "&from=" + fromMs + "&to=" + toMs)).forEach(out::add);
        }
        return out;
    }

    /** Refuses (503) a lookup forwarded here for a partition that moved away meanwhile. */
    void requireLocal(String store, String partitionKey) {
        if (!isSelf(owner(store, partitionKey))) {
            throw new Unavailable("the partition of '" + partitionKey + "' in " + store + " moved during the request; retry");
        }
    }

    <V> V localGet(String store, String key) {
        ReadOnlyKeyValueStore<String, V> kv = localStore(store);
        return kv.get(key);
    }

    <V> List<KeyValue<String, V>> localPrefix(String store, String prefix) {
        ReadOnlyKeyValueStore<String, V> kv = localStore(store);
        List<KeyValue<String, V>> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = kv.prefixScan(prefix, keys)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    ArrayNode localAll(String store) {
        ReadOnlyKeyValueStore<String, Object> kv = localStore(store);
        ArrayNode out = AvroJson.MAPPER.createArrayNode();
        try (KeyValueIterator<String, Object> it = kv.all()) {
            it.forEachRemaining(e -> {
                ObjectNode row = out.addObject();
                row.put("key", e.key);
                row.set("value", toJson(e.value));
            });
        }
        return out;
    }

    ArrayNode localWindows(String store, String key, long fromMs, long toMs, ApiStores stores) {
        long windowSizeMs = stores.probeWindowSizeMs();
        ReadOnlyKeyValueStore<String, dev.tokenarena.scoring.avro.ProbeWindowAgg> kv = localStore(store);
        ArrayNode out = AvroJson.MAPPER.createArrayNode();
        // history buckets tile time: one point read per bucket start in [from, to] (at most 169)
        for (long start = Math.floorDiv(fromMs + windowSizeMs - 1, windowSizeMs) * windowSizeMs; start <= toMs;
             start += windowSizeMs) {
            dev.tokenarena.scoring.avro.ProbeWindowAgg agg = stores.history().read(kv, key, start);
            if (agg != null) {
                ObjectNode row = out.addObject();
                row.put("start_ms", start);
                row.put("end_ms", start + windowSizeMs);
                row.set("value", toJson(stores.probeWindow().stats(start, start + windowSizeMs, agg)));
            }
        }
        return out;
    }

    private <V> ReadOnlyKeyValueStore<String, V> localStore(String store) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new Unavailable("store " + store + " is not queryable here now: " + e.getMessage(), e);
        }
    }

    static JsonNode toJson(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof IndexedRecord r) {
            return AvroJson.toTree(r);
        }
        return AvroJson.MAPPER.valueToTree(value);
    }

    private static JsonNode parse(HostInfo host, PeerClient.Reply reply) {
        if (reply.status() == 503) {
            throw new Unavailable("peer " + host + " cannot answer now: " + reply.body());
        }
        if (reply.status() != 200) {
            throw new IllegalStateException("peer " + host + " answered " + reply.status() + ": " + reply.body());
        }
        try {
            return AvroJson.MAPPER.readTree(reply.body());
        } catch (IOException e) {
            throw new IllegalStateException("peer " + host + " answered malformed JSON: " + e.getMessage(), e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
