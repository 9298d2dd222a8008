package dev.tokenarena.energy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.embedded.EmbeddedKafka;
import dev.tokenarena.registry.RegistryServer;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.catalog.CatalogEntry;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The feed through a real broker and registry: everything once, then only the changed price. */
class KafkaFeedSinkIT {

    @Test
    void shouldPublishOnceThenOnlyChangedPriceWhenRunAgainstRealBroker() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        List<String> topics = List.of(Topics.ENDPOINTS.name(), Topics.PRICES.name(), Topics.HARDWARE.name(),
                Topics.GRID.name());
        kafka.createTopics(List.of(Topics.ENDPOINTS.newTopic((short) 1), Topics.PRICES.newTopic((short) 1),
                Topics.HARDWARE.newTopic((short) 1), Topics.GRID.newTopic((short) 1), Topics.SCHEMAS.newTopic((short) 1)));
        try (Admin admin = kafka.admin()) {
            List<String> all = new ArrayList<>(topics);
            all.add(Topics.SCHEMAS.name());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.describeTopics(all)
                    .allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())));
        }
        try (RegistryServer registry = RegistryServer.start(kafka.bootstrapServers(), 0)) {
            RestSchemaRegistryClient registryClient = new RestSchemaRegistryClient(registry.url());
            try (KafkaFeedSink sink = new KafkaFeedSink(kafka.bootstrapServers(), registryClient)) {
                EnergyFeed feed = new EnergyFeed(EnergyFeedTest.catalog(), GridTable.defaults(), sink, Clock.systemUTC());
                assertEquals(11, feed.publishOnce().total()); // 3 endpoints, 3 prices, 3 profiles, 2 zones
                assertEquals(0, feed.publishOnce().total());
                feed.updatePrice("bleu-c", new CatalogEntry.Price(0.5, 0.8, null, 0.0));
                assertEquals(1, feed.publishOnce().total());
            }
            Map<String, List<ConsumerRecord<String, byte[]>>> byTopic = new java.util.HashMap<>();
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "energy-it");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, byte[]> consumer =
                         new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(topics);
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r ->
                            byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r));
                    return byTopic.values().stream().mapToInt(List::size).sum() >= 12;
                });
            }
            // 11 on the fresh start + 1 changed quote = 12 records; 4 of them prices.
            assertEquals(12, byTopic.values().stream().mapToInt(List::size).sum());
            List<ConsumerRecord<String, byte[]>> prices = byTopic.get(Topics.PRICES.name());
            assertEquals(4, prices.size());
            AvroWireSerde<PriceQuote> priceSerde = AvroWireSerde.forTopic(Topics.PRICES, registryClient);
            PriceQuote last = prices.stream().filter(r -> r.key().equals("bleu-c")).map(r -> priceSerde.decode(r.value()))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(0.5, last.getInputUsdPerMtok(), 0.0);
            AvroWireSerde<GridIntensity> gridSerde = AvroWireSerde.forTopic(Topics.GRID, registryClient);
            ConsumerRecord<String, byte[]> fr = byTopic.get(Topics.GRID.name()).stream()
                    .filter(r -> r.key().equals("FR")).findFirst().orElseThrow();
            assertEquals(56.0, gridSerde.decode(fr.value()).getGco2PerKwh(), 0.0);
        }
    }
}
