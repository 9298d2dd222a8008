package dev.tokenarena.eval;

import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.catalog.CatalogEntry;
import dev.tokenarena.schemas.catalog.CatalogException;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the eval worker alone against an external Kafka and Schema Registry. Wiring and lifecycle
 * only. Bad config, catalogue or suite: one line on stderr and exit code 2.
 */
@Command(name = "eval-worker", mixinStandardHelpOptions = true,
        description = "Sends quality-suite items and fingerprint prompts to the catalogue's endpoints.")
public final class EvalWorkerMain implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Properties file (see EvalConfig); ARENA_* environment variables override it.")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EvalWorkerMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        EvalConfig cfg;
        Catalog catalog;
        try {
            cfg = EvalConfig.load(config, System.getenv());
            Path catalogFile = cfg.catalogFile().orElseThrow(() -> new ConfigException(
                    config + ": " + EvalConfig.CATALOG_FILE + " is required; set it to the endpoint catalogue YAML"));
            catalog = Catalog.load(catalogFile);
        } catch (ConfigException | CatalogException e) {
            spec.commandLine().getErr().println("eval-worker: " + e.getMessage());
            return 2;
        }
        List<Endpoint> endpoints = catalog.endpoints().stream().map(e -> e.toEndpoint(System.currentTimeMillis())).toList();
        // Standalone, prices come from the catalogue; the demo passes the live quotes of arena.prices.v1.
        Map<String, PriceQuote> quotes = catalogueQuotes(catalog);
        Function<String, String> env = System::getenv;
        KafkaEvalSink sink;
        EvalWorker worker;
        try {
            sink = new KafkaEvalSink(cfg.bootstrapServers(), new RestSchemaRegistryClient(cfg.schemaRegistryUrl()));
            worker = new EvalWorker(cfg, () -> endpoints, quotes::get, sink, Clock.systemUTC(), env);
        } catch (ConfigException | SuiteException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("eval-worker: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            sink.close();
            stopped.countDown();
        }, "eval-worker-shutdown"));
        worker.start();
        stopped.await();
        return 0;
    }

    /**
     * The catalogue's token prices by endpoint id. An entry without one (self-hosted) is left out,
     * so the worker sees no price and publishes its items unpriced; {@code Collectors.toMap} would
     * throw on its null quote and stop the worker at startup.
     */
    static Map<String, PriceQuote> catalogueQuotes(Catalog catalog) {
        Map<String, PriceQuote> quotes = new HashMap<>();
        for (CatalogEntry e : catalog.endpoints()) {
            PriceQuote q = e.toPriceQuote("catalogue", 0L);
            if (q != null) {
                quotes.put(e.id(), q);
            }
        }
        return quotes;
    }
}
