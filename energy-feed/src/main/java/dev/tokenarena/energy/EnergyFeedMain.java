package dev.tokenarena.energy;

import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.catalog.CatalogException;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the energy and price feed alone against an external Kafka and Schema Registry. Wiring
 * and lifecycle only. Bad config, catalogue or grid table: one line on stderr and exit code 2.
 */
@Command(name = "energy-feed", mixinStandardHelpOptions = true,
        description = "Publishes endpoints, prices, energy profiles and grid intensity on change.")
public final class EnergyFeedMain implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Properties file (see EnergyFeedConfig); ARENA_* environment variables override it.")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EnergyFeedMain()).execute(args));
    }

    /** Loads and validates everything the feed needs; throws one-line errors. */
    static Loaded load(Path config) {
        EnergyFeedConfig cfg = EnergyFeedConfig.load(config, System.getenv());
        Catalog catalog = Catalog.load(cfg.catalogFile());
        GridTable grid = cfg.gridFile().map(GridTable::load).orElseGet(GridTable::defaults);
        return new Loaded(cfg, catalog, grid);
    }

    record Loaded(EnergyFeedConfig config, Catalog catalog, GridTable grid) {
    }

    @Override
    public Integer call() throws InterruptedException {
        Loaded loaded;
        KafkaFeedSink sink;
        try {
            loaded = load(config);
            sink = new KafkaFeedSink(loaded.config().bootstrapServers(),
                    new RestSchemaRegistryClient(loaded.config().schemaRegistryUrl()));
        } catch (ConfigException | CatalogException | GridTableException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("energy-feed: " + e.getMessage());
            return 2;
        }
        EnergyFeed feed = new EnergyFeed(loaded.catalog(), loaded.grid(), sink, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            feed.close();
            sink.close();
            stopped.countDown();
        }, "energy-feed-shutdown"));
        feed.start(loaded.config().publishInterval());
        stopped.await();
        return 0;
    }
}
