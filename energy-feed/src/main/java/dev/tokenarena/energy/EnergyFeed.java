package dev.tokenarena.energy;

import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.catalog.CatalogEntry;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the catalogue's endpoints (without secrets), their list prices, their energy
 * profiles and the carbon intensity of every grid zone in use, to compacted topics, and only
 * what changed: each record is compared, with its timestamp zeroed, to the last one this feed
 * published for the same key. A fresh feed has published nothing, so its first call publishes
 * everything once. A record the sink refuses is not remembered and goes out on the next call.
 *
 * <p>A self-hosted endpoint may quote no token price: it gets no PriceQuote (never a zero one,
 * which would read as free), and its {@code self_hosted} block travels on its Endpoint record,
 * from which scoring prices it by GPU-hour over measured throughput.
 */
public final class EnergyFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EnergyFeed.class);
    static final String PRICE_SOURCE = "catalogue";

    private final Catalog catalog;
    private final GridTable grid;
    private final FeedSink sink;
    private final Clock clock;
    // Token prices by endpoint_id; a self-hosted endpoint without one is absent until updatePrice.
    private final Map<String, CatalogEntry.Price> prices = new ConcurrentHashMap<>();
    private final Set<String> ids = new LinkedHashSet<>();
    // What was last published per key, timestamps zeroed: the "content" compared on each call.
    private final Map<String, Endpoint> lastEndpoints = new HashMap<>();
    private final Map<String, PriceQuote> lastPrices = new HashMap<>();
    private final Map<String, EnergyProfile> lastProfiles = new HashMap<>();
    private final Map<String, GridIntensity> lastGrids = new HashMap<>();
    private final Set<String> warnedZones = new LinkedHashSet<>();
    private ScheduledExecutorService scheduler;

    public EnergyFeed(Catalog catalog, GridTable grid, FeedSink sink, Clock clock) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.grid = Objects.requireNonNull(grid, "grid");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (CatalogEntry e : catalog.endpoints()) {
            ids.add(e.id());
            if (e.price() != null) {
                prices.put(e.id(), e.price());
            }
        }
    }

    /**
     * Changes an endpoint's list price (the demo's mid-run price change), or gives a self-hosted
     * endpoint a token price; the next {@link #publishOnce()} publishes that one quote.
     */
    public void updatePrice(String endpointId, CatalogEntry.Price newPrice) {
        Objects.requireNonNull(newPrice, "newPrice");
        if (!ids.contains(endpointId)) {
            throw new IllegalArgumentException("unknown endpoint_id '" + endpointId + "'; not in the catalogue");
        }
        prices.put(endpointId, newPrice);
    }

    /**
     * The current list price of an endpoint (including any {@link #updatePrice}) as a quote, or
     * null for an unknown id or an endpoint with no token price (self-hosted); lets an in-process
     * eval worker cost items at the live price.
     */
    public PriceQuote currentPrice(String endpointId) {
        return catalog.endpoints().stream().filter(e -> e.id().equals(endpointId)).findFirst()
                .map(e -> quote(e, clock.millis())).orElse(null);
    }

    /** Publishes whatever changed since the last call; never throws for a sink failure. */
    public synchronized PublishSummary publishOnce() {
        long now = clock.millis();
        int[] counts = new int[5];
        Set<String> zones = new LinkedHashSet<>();
        for (CatalogEntry entry : catalog.endpoints()) {
            Endpoint endpoint = entry.toEndpoint(0L);
            if (publishIfChanged(lastEndpoints, entry.id(), endpoint,
                    e -> sink.accept(Endpoint.newBuilder(e).setUpdatedAtMs(now).build()), counts)) {
                counts[0]++;
            }
            PriceQuote quote = quote(entry, 0L);
            if (quote != null && publishIfChanged(lastPrices, entry.id(), quote,
                    q -> sink.accept(PriceQuote.newBuilder(q).setEffectiveFromMs(now).build()), counts)) {
                counts[1]++;
            }
            EnergyProfile profile = entry.toEnergyProfile(0L);
            if (publishIfChanged(lastProfiles, entry.id(), profile,
                    p -> sink.accept(EnergyProfile.newBuilder(p).setEffectiveFromMs(now).build()), counts)) {
                counts[2]++;
            }
            zones.add(entry.gridZone());
        }
        for (String zone : zones) {
            if (!grid.knows(zone) && warnedZones.add(zone)) {
                log.warn("grid zone {} is not in the grid table; publishing the conservative fallback (highest value)", zone);
            }
            GridIntensity intensity = grid.intensity(zone, 0L);
            if (publishIfChanged(lastGrids, zone, intensity,
                    g -> sink.accept(GridIntensity.newBuilder(g).setEffectiveFromMs(now).build()), counts)) {
                counts[3]++;
            }
        }
        PublishSummary summary = new PublishSummary(counts[0], counts[1], counts[2], counts[3], counts[4]);
        if (summary.total() > 0 || summary.failures() > 0) {
            log.info("energy feed published {} endpoints, {} prices, {} profiles, {} grid zones; {} failed (retried next time)",
                    summary.endpoints(), summary.prices(), summary.profiles(), summary.grids(), summary.failures());
        }
        return summary;
    }

    private PriceQuote quote(CatalogEntry entry, long effectiveFromMs) {
        CatalogEntry.Price p = prices.get(entry.id());
        if (p == null) {
            return null;
        }
        return PriceQuote.newBuilder().setEndpointId(entry.id()).setInputUsdPerMtok(p.inputUsdPerMtok())
                .setOutputUsdPerMtok(p.outputUsdPerMtok()).setCachedInputUsdPerMtok(p.cachedInputUsdPerMtok())
                .setBatchDiscount(p.batchDiscount()).setCurrency("USD").setSource(PRICE_SOURCE)
                .setEffectiveFromMs(effectiveFromMs).build();
    }

    private <T> boolean publishIfChanged(Map<String, T> last, String key, T content, Consumer<T> publish, int[] counts) {
        if (content.equals(last.get(key))) {
            return false;
        }
        try {
            publish.accept(content);
        } catch (RuntimeException e) {
            counts[4]++;
            log.warn("publishing {} for {} failed: {}", content.getClass().getSimpleName(), key, e.toString());
            return false;
        }
        last.put(key, content);
        return true;
    }

    /** Calls {@link #publishOnce()} now and then every {@code interval} until {@link #close()}. */
    public synchronized void start(Duration interval) {
        if (scheduler != null) {
            throw new IllegalStateException("energy feed already started");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("publish interval must be > 0, got " + interval);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "energy-feed");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                publishOnce();
            } catch (RuntimeException e) {
                log.error("energy feed publish failed: {}", e.toString());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s == null) {
            return;
        }
        s.shutdown();
        try {
            if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
                s.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.shutdownNow();
        }
    }
}
