package dev.tokenarena.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.catalog.CatalogEntry;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EnergyFeedTest {

    static final String CANARY_ENV = "ARENA_TEST_CANARY_API_KEY";

    /** Three endpoints in two known zones (a, b in PJM; c in FR). */
    static final String CATALOG = """
            endpoints:
              - id: acme-a
                provider: acme
                model: llama-3.3-70b
                sku: turbo
                precision: fp8
                region: us-east
                grid_zone: US-MIDA-PJM
                protocol: openai-chat
                base_url: https://api.acme.example/v1
                model_name: meta-llama/Llama-3.3-70B-Instruct-Turbo
                api_key_env: %1$s
                context_tokens: 131072
                logprobs: true
                price: {input_usd_per_mtok: 0.88, output_usd_per_mtok: 0.88, cached_input_usd_per_mtok: 0.44}
                energy: {accelerator: H100-SXM, count: 4, tdp_w: 700, utilization: 0.6, pue: 1.2}
              - id: acme-b
                provider: acme
                model: llama-3.3-70b
                sku: base
                precision: bf16
                region: us-east
                grid_zone: US-MIDA-PJM
                protocol: openai-chat
                base_url: https://api.acme.example/v1
                model_name: meta-llama/Llama-3.3-70B-Instruct
                api_key_env: %1$s
                context_tokens: 131072
                price: {input_usd_per_mtok: 1.20, output_usd_per_mtok: 1.20}
              - id: bleu-c
                provider: bleu
                model: llama-3.3-70b
                sku: standard
                precision: bf16
                region: eu-west
                grid_zone: FR
                protocol: openai-chat
                base_url: https://api.bleu.example/v1
                model_name: llama-3.3-70b
                context_tokens: 65536
                price: {input_usd_per_mtok: 0.60, output_usd_per_mtok: 0.90}
            """.formatted(CANARY_ENV);

    static Catalog catalog() {
        return Catalog.parse(CATALOG, "test-catalog.yaml");
    }

    @Test
    void shouldPublishOnlyChangesWhenCalledRepeatedly() {
        RecordingSink sink = new RecordingSink();
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        EnergyFeed feed = new EnergyFeed(catalog(), GridTable.defaults(), sink, clock);

        // Fresh start: 3 endpoints + 3 prices + 3 profiles + 2 zones (PJM, FR) = 11 records.
        assertEquals(new PublishSummary(3, 3, 3, 2, 0), feed.publishOnce());
        assertEquals(11, sink.all().size());
        assertEquals(1735689600000L, sink.prices.get(0).getEffectiveFromMs());

        // Nothing changed; a later clock alone is not a change: 0 records.
        clock.instant = clock.instant.plusSeconds(3600);
        assertEquals(new PublishSummary(0, 0, 0, 0, 0), feed.publishOnce());
        assertEquals(11, sink.all().size());

        // One price changes: exactly that quote, stamped with the time it was published.
        feed.updatePrice("acme-b", new CatalogEntry.Price(0.99, 1.50, null, 0.0));
        assertEquals(new PublishSummary(0, 1, 0, 0, 0), feed.publishOnce());
        PriceQuote changed = sink.prices.get(3);
        assertEquals("acme-b", changed.getEndpointId());
        assertEquals(0.99, changed.getInputUsdPerMtok(), 0.0);
        assertEquals(1.50, changed.getOutputUsdPerMtok(), 0.0);
        assertEquals("catalogue", changed.getSource());
        assertEquals(1735693200000L, changed.getEffectiveFromMs()); // + 3600 s
        assertEquals(0.99, feed.currentPrice("acme-b").getInputUsdPerMtok(), 0.0);

        // Setting the same price again is no change.
        feed.updatePrice("acme-b", new CatalogEntry.Price(0.99, 1.50, null, 0.0));
        assertEquals(0, feed.publishOnce().total());
    }

    @Test
    void shouldRetryRecordWhenSinkRefusedIt() {
        RecordingSink sink = new RecordingSink();
        sink.failPrices = 1;
        EnergyFeed feed = new EnergyFeed(catalog(), GridTable.defaults(), sink, Clock.systemUTC());
        // The first price send fails: 2 of 3 prices out, 1 failure.
        assertEquals(new PublishSummary(3, 2, 3, 2, 1), feed.publishOnce());
        // The refused quote goes out on the next call, and nothing else.
        assertEquals(new PublishSummary(0, 1, 0, 0, 0), feed.publishOnce());
    }

    @Test
    void shouldMarkAssumedEnergyFieldsWhenCatalogueOmitsThem() {
        RecordingSink sink = new RecordingSink();
        new EnergyFeed(catalog(), GridTable.defaults(), sink, Clock.systemUTC()).publishOnce();
        EnergyProfile a = sink.profiles.stream().filter(p -> p.getEndpointId().equals("acme-a")).findFirst().orElseThrow();
        // acme-a gives accelerator, count, tdp_w, utilization, pue; the other four are assumed.
        assertEquals(List.of("sparsity", "streams_per_replica", "boundary"),
                a.getAssumedFields().stream().filter(f -> !f.equals("disclosed")).toList());
        assertFalse(a.getDisclosed());
        EnergyProfile c = sink.profiles.stream().filter(p -> p.getEndpointId().equals("bleu-c")).findFirst().orElseThrow();
        assertEquals(8, c.getAssumedFields().size());
    }

    @Test
    void shouldNeverPublishKeyValueWhenCatalogueNamesKeyVariable() {
        String canary = System.getenv(CANARY_ENV);
        assertNotNull(canary, "surefire sets " + CANARY_ENV + "; without it this test proves nothing");
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        try (KafkaFeedSink sink = new KafkaFeedSink(producer, new InMemorySchemaRegistry())) {
            new EnergyFeed(catalog(), GridTable.defaults(), sink, Clock.systemUTC()).publishOnce();
        }
        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertEquals(11, sent.size());
        for (ProducerRecord<String, byte[]> r : sent) {
            String bytes = new String(r.value(), StandardCharsets.ISO_8859_1);
            assertFalse(bytes.contains(canary), "key value leaked to " + r.topic());
            assertFalse(r.key().contains(canary));
        }
        // The variable's name is published (consumers need it to call the endpoint), never its value.
        assertTrue(sent.stream().anyMatch(r -> r.topic().equals(Topics.ENDPOINTS.name())
                && new String(r.value(), StandardCharsets.ISO_8859_1).contains(CANARY_ENV)));
        // Keys per the topic catalogue: endpoint_id, and the zone on the grid topic.
        assertEquals(List.of("FR", "US-MIDA-PJM"), sent.stream().filter(r -> r.topic().equals(Topics.GRID.name()))
                .map(ProducerRecord::key).sorted().toList());
        assertEquals(List.of("acme-a", "acme-b", "bleu-c"), sent.stream()
                .filter(r -> r.topic().equals(Topics.PRICES.name())).map(ProducerRecord::key).sorted().toList());
        assertEquals(3, sent.stream().filter(r -> r.topic().equals(Topics.HARDWARE.name())).count());
    }

    /** bleu-c as a self-hosted deployment with no token price: 8 GPUs at 2.50 USD per GPU-hour. */
    static Catalog selfHostedCatalog() {
        return Catalog.parse(CATALOG.replace("    price: {input_usd_per_mtok: 0.60, output_usd_per_mtok: 0.90}\n",
                "    self_hosted: {gpu_hour_usd: 2.50, gpus: 8}\n"), "self-hosted.yaml");
    }

    @Test
    void shouldPublishSelfHostedBlockOnEndpointAndNoQuoteWhenNoTokenPriceIsGiven() {
        RecordingSink sink = new RecordingSink();
        EnergyFeed feed = new EnergyFeed(selfHostedCatalog(), GridTable.defaults(), sink, Clock.systemUTC());
        // 3 endpoints, 2 prices (bleu-c quotes none), 3 profiles, 2 zones
        assertEquals(new PublishSummary(3, 2, 3, 2, 0), feed.publishOnce());
        Endpoint c = sink.endpoints.stream().filter(e -> e.getEndpointId().equals("bleu-c")).findFirst().orElseThrow();
        assertEquals(2.50, c.getSelfHostedGpuHourUsd(), 0.0);
        assertEquals(8, c.getSelfHostedGpus());
        Endpoint a = sink.endpoints.stream().filter(e -> e.getEndpointId().equals("acme-a")).findFirst().orElseThrow();
        assertNull(a.getSelfHostedGpuHourUsd());
        assertEquals(List.of("acme-a", "acme-b"), sink.prices.stream().map(PriceQuote::getEndpointId).sorted().toList());
        assertNull(feed.currentPrice("bleu-c"));
        // a token price given later is published like any change; the endpoint record is unchanged
        feed.updatePrice("bleu-c", new CatalogEntry.Price(0.30, 0.45, null, 0.0));
        assertEquals(new PublishSummary(0, 1, 0, 0, 0), feed.publishOnce());
        assertEquals(0.45, feed.currentPrice("bleu-c").getOutputUsdPerMtok(), 0.0);
    }

    @Test
    void shouldCarrySelfHostedFieldsThroughTheWireFormatWhenPublishedToKafka() {
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        try (KafkaFeedSink sink = new KafkaFeedSink(producer, registry)) {
            new EnergyFeed(selfHostedCatalog(), GridTable.defaults(), sink, Clock.systemUTC()).publishOnce();
        }
        ProducerRecord<String, byte[]> rec = producer.history().stream()
                .filter(r -> r.topic().equals(Topics.ENDPOINTS.name()) && r.key().equals("bleu-c")).findFirst().orElseThrow();
        Endpoint decoded = dev.tokenarena.schemas.serde.AvroWireSerde.forTopic(Topics.ENDPOINTS, registry).deserializer()
                .deserialize(Topics.ENDPOINTS.name(), rec.value());
        assertEquals(2.50, decoded.getSelfHostedGpuHourUsd(), 0.0);
        assertEquals(8, decoded.getSelfHostedGpus());
        assertFalse(producer.history().stream().anyMatch(r -> r.topic().equals(Topics.PRICES.name())
                && r.key().equals("bleu-c")), "no zero-price quote for a self-hosted endpoint");
    }

    @Test
    void shouldRejectPriceUpdateWhenEndpointUnknown() {
        EnergyFeed feed = new EnergyFeed(catalog(), GridTable.defaults(), new RecordingSink(), Clock.systemUTC());
        assertThrows(IllegalArgumentException.class,
                () -> feed.updatePrice("nope", new CatalogEntry.Price(1, 1, null, 0)));
    }

    @Test
    void shouldPublishFallbackWhenZoneUnknown() {
        Catalog unknownZone = Catalog.parse(CATALOG.replace("grid_zone: FR", "grid_zone: XX-NOWHERE"), "t.yaml");
        RecordingSink sink = new RecordingSink();
        new EnergyFeed(unknownZone, GridTable.defaults(), sink, Clock.systemUTC()).publishOnce();
        GridIntensity g = sink.grids.stream().filter(x -> x.getZone().equals("XX-NOWHERE")).findFirst().orElseThrow();
        assertEquals(713.0, g.getGco2PerKwh(), 0.0); // IN-WE, the highest in the shipped table
        assertTrue(g.getSource().startsWith("fallback: unknown zone"));
    }

    static final class RecordingSink implements FeedSink {
        final List<Endpoint> endpoints = new ArrayList<>();
        final List<PriceQuote> prices = new ArrayList<>();
        final List<EnergyProfile> profiles = new ArrayList<>();
        final List<GridIntensity> grids = new ArrayList<>();
        int failPrices;

        @Override
        public void accept(Endpoint endpoint) {
            endpoints.add(endpoint);
        }

        @Override
        public void accept(PriceQuote quote) {
            if (failPrices > 0) {
                failPrices--;
                throw new IllegalStateException("broker unavailable");
            }
            prices.add(quote);
        }

        @Override
        public void accept(EnergyProfile profile) {
            profiles.add(profile);
        }

        @Override
        public void accept(GridIntensity intensity) {
            grids.add(intensity);
        }

        List<Object> all() {
            List<Object> all = new ArrayList<>(endpoints);
            all.addAll(prices);
            all.addAll(profiles);
            all.addAll(grids);
            return all;
        }

        @Override
        public String toString() {
            return all().stream().map(Object::toString).collect(Collectors.joining("\n"));
        }
    }

    static final class MutableClock extends Clock {
        Instant instant;

        MutableClock(Instant start) {
            this.instant = start;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return instant;
        }
    }
}
