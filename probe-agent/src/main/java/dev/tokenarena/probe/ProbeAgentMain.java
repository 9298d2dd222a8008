package dev.tokenarena.probe;

import dev.tokenarena.schemas.catalog.Catalog;
import dev.tokenarena.schemas.catalog.CatalogEntry;
import dev.tokenarena.schemas.catalog.CatalogException;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.PriceQuote;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs one probe agent until SIGTERM or Ctrl-C: config from a properties file plus ARENA_*
 * environment overrides, catalogue from {@code catalog.file}, results to Kafka. Bad config or
 * catalogue: one line naming the setting, exit code 2. Only wiring and lifecycle live here.
 */
@Command(name = "probe-agent", mixinStandardHelpOptions = true,
        description = "Times LLM inference endpoints and publishes ProbeResults to Kafka.")
public final class ProbeAgentMain implements Callable<Integer> {

    static final int BAD_CONFIG = 2;

    /**
     * JVM options an agent should run with (the deployment manifests set them, and {@code arena
     * bench probe} starts its client with them). The agent's event loop shares its core with the
     * JVM's own threads, and every millisecond they take it away shows up in someone's TTFT. C2
     * compilations of the hot read path took 100 ms and more of CPU, again and again in the first
     * minutes; on one core the event loop then waited for the compiler in scheduler slices of
     * several ms, and the TTFT error p99 of 1,000 ramped streams was 3-4 ms. Compiling with C1
     * only, it was 0.7-1.1 ms at about the same CPU per token (docs/benchmarks.md). The serial
     * collector has no concurrent threads to compete with the loop; the agent's heap is small, so
     * its young pauses are a few ms, about once per 100 MB allocated.
     */
    public static final String JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Agent properties file.")
    Path configFile;

    private final Map<String, String> env;
    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    ProbeAgentMain(Map<String, String> env, PrintStream err) {
        this.env = env;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProbeAgentMain(System.getenv(), System.err)).execute(args));
    }

    /** Parses config and catalogue; throws a one-line ConfigException or CatalogException. */
    static ProbeAgentConfig loadConfig(Path file, Map<String, String> env) {
        return new ProbeAgentConfig(dev.tokenarena.schemas.config.CommonConfig.load(file, ProbeAgentConfig.CONFIG_DEF, env));
    }

    static List<Endpoint> loadCatalogue(ProbeAgentConfig config, Clock clock) {
        if (config.catalogFile() == null) {
            throw new ConfigException(ProbeAgentConfig.CATALOG_FILE, "", "is required: the endpoint catalogue YAML file");
        }
        long now = clock.millis();
        return Catalog.load(Path.of(config.catalogFile())).endpoints().stream()
                .map((CatalogEntry e) -> e.toEndpoint(now)).toList();
    }

    /** The catalogue's list prices by endpoint_id, for the dollar budget. */
    static Map<String, PriceQuote> loadPrices(ProbeAgentConfig config, Clock clock) {
        long now = clock.millis();
        Map<String, PriceQuote> out = new HashMap<>();
        for (CatalogEntry e : Catalog.load(Path.of(config.catalogFile())).endpoints()) {
            out.put(e.id(), e.toPriceQuote("catalogue", now));
        }
        return out;
    }

    @Override
    public Integer call() {
        ProbeAgentConfig config;
        List<Endpoint> endpoints;
        Map<String, PriceQuote> prices;
        try {
            config = loadConfig(configFile, env);
            endpoints = loadCatalogue(config, Clock.systemUTC());
            prices = loadPrices(config, Clock.systemUTC());
        } catch (ConfigException | CatalogException e) {
            err.println("probe-agent: " + e.getMessage());
            return BAD_CONFIG;
        }
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(config.schemaRegistryUrl());
        SpoolingResultSink spooling;
        try {
            spooling = SpoolingResultSink.create(config, registry);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // A spool.dir that is locked by another agent or not writable: fail at startup, naming it.
            err.println("probe-agent: " + e.getMessage());
            return BAD_CONFIG;
        }
        ProbeMetrics metrics = new ProbeMetrics();
        metrics.gauge("arena_probe_spool_records", "Results in the spool not yet acknowledged by Kafka.", spooling::pendingRecords);
        metrics.gauge("arena_probe_spool_bytes", "Bytes in the spool not yet acknowledged by Kafka.", spooling::pendingBytes);
        metrics.gauge("arena_probe_spool_rejected_total", "Results refused because the spool was full.", spooling::rejected);
        metrics.gauge("arena_probe_results_delivered_total", "Results acknowledged by Kafka since start.", spooling::delivered);
        MetricsServer metricsServer = null;
        if (config.metricsPort() > 0) {
            try {
                metricsServer = MetricsServer.start(config.metricsHost(), config.metricsPort(), metrics);
            } catch (IllegalStateException e) {
                spooling.close();
                err.println("probe-agent: " + e.getMessage());
                return BAD_CONFIG;
            }
        }
        KafkaMembership membership;
        try {
            membership = KafkaMembership.start(config, registry, Clock.systemUTC(), Ticker.SYSTEM);
        } catch (RuntimeException e) {
            // No heartbeat topic, or Kafka unreachable at start: probing blind could leave a share
            // unprobed or probe it twice for good, so refuse to start and say why.
            if (metricsServer != null) {
                metricsServer.close();
            }
            spooling.close();
            err.println("probe-agent: cannot join region " + config.region() + ": " + e.getMessage());
            return 1;
        }
        metrics.gauge("arena_probe_live_agents", "Live agents of this agent's region, itself included.",
                () -> membership.liveAgents().size());
        metrics.gauge("arena_probe_heartbeats_skipped_total", "Heartbeat records skipped because they could not be read.",
                membership::undecodable);
        // Closed in reverse order: the agent stops probing before the membership publishes its tombstone.
        try (MetricsServer served = metricsServer;
             SpoolingResultSink sink = spooling;
             KafkaMembership member = membership;
             ProbeAgent agent = new ProbeAgent(config, () -> endpoints, sink, Clock.systemUTC(), Ticker.SYSTEM, env::get,
                     metrics, prices::get, member)) {
            // The JVM halts once hooks return: wait until the producer has flushed and closed.
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    stopped.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "probe-agent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            agent.start();
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
