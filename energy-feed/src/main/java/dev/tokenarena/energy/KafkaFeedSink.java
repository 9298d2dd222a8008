package dev.tokenarena.energy;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes feed records to their compacted topics: Endpoint, PriceQuote and EnergyProfile keyed
 * by endpoint_id, GridIntensity keyed by zone; Avro in the Confluent wire format; idempotent
 * producer with {@code acks=all}.
 *
 * <p>Each send waits for its acknowledgement. The feed publishes only on change, so a send lost
 * silently would leave a compacted topic stale until the next change; waiting lets a failure
 * reach the feed, which then retries. The volume (a few records per change) makes waiting cheap.
 */
public final class KafkaFeedSink implements FeedSink, AutoCloseable {

    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, byte[]> producer;
    private final AvroWireSerde<Endpoint> endpoints;
    private final AvroWireSerde<PriceQuote> prices;
    private final AvroWireSerde<EnergyProfile> profiles;
    private final AvroWireSerde<GridIntensity> grids;

    public KafkaFeedSink(String bootstrapServers, SchemaRegistryClient registry) {
        this(new KafkaProducer<>(producerConfig(bootstrapServers), new StringSerializer(), new ByteArraySerializer()),
                registry);
    }

    /** For tests (MockProducer) and callers that manage their own producer. */
    public KafkaFeedSink(Producer<String, byte[]> producer, SchemaRegistryClient registry) {
        this.producer = producer;
        this.endpoints = AvroWireSerde.forTopic(Topics.ENDPOINTS, registry);
        this.prices = AvroWireSerde.forTopic(Topics.PRICES, registry);
        this.profiles = AvroWireSerde.forTopic(Topics.HARDWARE, registry);
        this.grids = AvroWireSerde.forTopic(Topics.GRID, registry);
    }

    /** The producer settings this sink relies on. */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "arena-energy-feed");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    @Override
    public void accept(Endpoint endpoint) {
        send(Topics.ENDPOINTS, endpoint.getEndpointId(), endpoints, endpoint);
    }

    @Override
    public void accept(PriceQuote quote) {
        send(Topics.PRICES, quote.getEndpointId(), prices, quote);
    }

    @Override
    public void accept(EnergyProfile profile) {
        send(Topics.HARDWARE, profile.getEndpointId(), profiles, profile);
    }

    @Override
    public void accept(GridIntensity intensity) {
        send(Topics.GRID, intensity.getZone(), grids, intensity);
    }

    private <T extends SpecificRecord> void send(TopicSpec<T> topic, String key, AvroWireSerde<T> serde, T value) {
        byte[] bytes = serde.encode(topic.name(), value);
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, bytes))
                    .get(SEND_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while sending to " + topic.name(), e);
        } catch (ExecutionException e) {
            throw new KafkaException("send to " + topic.name() + " key " + key + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("send to " + topic.name() + " key " + key + " not acknowledged within "
                    + SEND_TIMEOUT.toMillis() + " ms", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
