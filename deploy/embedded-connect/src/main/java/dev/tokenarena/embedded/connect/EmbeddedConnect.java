package dev.tokenarena.embedded.connect;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.isolation.LoaderSwap;
import org.apache.kafka.connect.runtime.isolation.PluginDiscoveryMode;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.ConnectRestServer;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.runtime.rest.RestServerConfig;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process Kafka Connect standalone worker: the same {@link Worker} and
 * {@link StandaloneHerder} that {@code connect-standalone.sh} runs, assembled here rather than
 * through {@code ConnectStandalone.startConnect}, which calls {@code Exit.exit} when start-up
 * fails and would take the whole JVM (the demo, a test run) down with it.
 *
 * <p>Plugins are found with {@code plugin.discovery=service_load}: connectors on the classpath
 * register themselves in {@code META-INF/services}, and the reflective classpath scan (several
 * seconds on a fat classpath) is skipped.
 *
 * <p>Connect's classes used here are internal to the runtime; they are kept inside this one
 * class so a Kafka upgrade touches nothing else.
 */
public final class EmbeddedConnect implements AutoCloseable {

    /** How long {@link #putConnector(String, Map)} waits for RUNNING by default. */
    public static final Duration DEFAULT_RUNNING_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(EmbeddedConnect.class);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    /** Offsets commit (and sink tasks flush) this often; short, because the demo compresses time. */
    private static final String DEFAULT_OFFSET_FLUSH_INTERVAL_MS = "2000";

    private final Connect<StandaloneHerder> connect;
    private final StandaloneHerder herder;
    private final URI restUrl;
    private final Duration startupTime;
    private final ScheduledExecutorService poller;
    private boolean closed;

    private EmbeddedConnect(Connect<StandaloneHerder> connect, URI restUrl, Duration startupTime) {
        this.connect = connect;
        this.herder = connect.herder();
        this.restUrl = restUrl;
        this.startupTime = startupTime;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-connect-status-poller");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a standalone worker.
     *
     * @param bootstrapServers Kafka bootstrap servers; the broker must be reachable (the worker
     *                         looks up the cluster id while starting)
     * @param offsetsFile where source-connector offsets are kept between runs
     * @param restPort port of the REST API on 127.0.0.1, 0 for any free port
     */
    public static EmbeddedConnect start(String bootstrapServers, Path offsetsFile, int restPort) {
        return start(bootstrapServers, offsetsFile, restPort, Map.of());
    }

    /**
     * Starts a standalone worker with extra worker settings; they override the defaults here
     * ({@code StringConverter} keys, {@code ByteArrayConverter} values,
     * {@code offset.flush.interval.ms=2000}).
     */
    public static EmbeddedConnect start(String bootstrapServers, Path offsetsFile, int restPort,
                                        Map<String, String> workerOverrides) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(offsetsFile, "offsetsFile");
        if (restPort < 0 || restPort > 65535) {
            throw new IllegalArgumentException("restPort must be in 0..65535 (0 = any free port), was " + restPort);
        }
        Map<String, String> props = workerProps(bootstrapServers, offsetsFile, restPort, workerOverrides);
        long startNanos = System.nanoTime();
        Plugins plugins = new Plugins(props);
        Connect<StandaloneHerder> connect;
        URI restUrl;
        // Connect resolves plugins through the thread's context loader while it builds the worker;
        // the CLI swaps it for good, we give the caller's thread its own loader back.
        LoaderSwap swap = plugins.withClassLoader(plugins.delegatingLoader());
        try {
            StandaloneConfig config = new StandaloneConfig(props);
            RestClient restClient = new RestClient(config);
            ConnectRestServer restServer = new ConnectRestServer(config.rebalanceTimeout(), restClient, props);
            restServer.initializeServer();
            restUrl = restServer.advertisedUrl();
            String workerId = restUrl.getHost() + ":" + restUrl.getPort();
            try {
                // newPlugins, not the overloaded newPlugin: resolving that overload needs
                // maven-artifact (a runtime-only dependency of connect-runtime) at compile time.
                ConnectorClientConfigOverridePolicy policy = plugins.newPlugins(
                        List.of(config.getString(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG)), config,
                        ConnectorClientConfigOverridePolicy.class).get(0);
                FileOffsetBackingStore offsets = new FileOffsetBackingStore(plugins.newInternalConverter(
                        true, JsonConverter.class.getName(), Map.of("schemas.enable", "false")));
                offsets.configure(config);
                Worker worker = new Worker(workerId, Time.SYSTEM, plugins, config, offsets, policy);
                StandaloneHerder herder = new StandaloneHerder(worker, config.kafkaClusterId(), policy);
                connect = new Connect<>(herder, restServer);
            } catch (RuntimeException e) {
                restServer.stop();
                throw new IllegalStateException("cannot create the Connect worker against " + bootstrapServers
                        + ": " + e.getMessage(), e);
            }
            try {
                connect.start();
            } catch (RuntimeException e) {
                connect.stop();
                throw new IllegalStateException("cannot start the Connect worker against " + bootstrapServers
                        + ": " + e.getMessage(), e);
            }
        } finally {
            swap.close();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        log.info("Embedded Connect standalone worker started in {} ms, REST at {}", took.toMillis(), restUrl);
        return new EmbeddedConnect(connect, restUrl, took);
    }

    static Map<String, String> workerProps(String bootstrapServers, Path offsetsFile, int restPort,
                                           Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>();
        props.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG, offsetsFile.toAbsolutePath().toString());
        props.put(RestServerConfig.LISTENERS_CONFIG, "http://127.0.0.1:" + restPort);
        props.put(WorkerConfig.PLUGIN_DISCOVERY_CONFIG, PluginDiscoveryMode.SERVICE_LOAD.toString());
        // Our topics carry UTF-8 string keys and Confluent-framed Avro values that the sinks decode
        // themselves, so those are the defaults; a connector may still name its own converters.
        props.put(WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
        props.put(WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, ByteArrayConverter.class.getName());
        props.put(WorkerConfig.OFFSET_COMMIT_INTERVAL_MS_CONFIG, DEFAULT_OFFSET_FLUSH_INTERVAL_MS);
        props.putAll(overrides);
        return props;
    }

    /** Base URL of the worker's REST API, e.g. {@code http://127.0.0.1:40123/}. */
    public URI restUrl() {
        return restUrl;
    }

    /** Wall time {@link #start} took, from plugin discovery to a started herder. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Creates or replaces a connector and waits up to {@link #DEFAULT_RUNNING_TIMEOUT} until it
     * and all its tasks are RUNNING.
     */
    public ConnectorState putConnector(String name, Map<String, String> config) {
        return putConnector(name, config, DEFAULT_RUNNING_TIMEOUT);
    }

    /**
     * Creates or replaces a connector and waits until it and all its tasks are RUNNING.
     *
     * @throws IllegalArgumentException when the worker rejects the config (the message lists the
     *                                  errors it found)
     * @throws IllegalStateException when the connector or a task fails, or is not RUNNING in time;
     *                               the message carries the failure traces
     */
    public ConnectorState putConnector(String name, Map<String, String> config, Duration timeout) {
        Objects.requireNonNull(name, "name");
        Map<String, String> withName = new HashMap<>(config);
        String given = withName.putIfAbsent(ConnectorConfig.NAME_CONFIG, name);
        if (given != null && !given.equals(name)) {
            throw new IllegalArgumentException("connector config has name=" + given + " but was put as " + name);
        }
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        herder.putConnectorConfig(name, withName, true, created);
        try {
            created.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalArgumentException("connector " + name + " rejected: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("connector " + name + " not accepted by the worker within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating connector " + name, e);
        }
        return awaitRunning(name, timeout);
    }

    /** The connector's current state, empty when the worker does not know it. */
    public Optional<ConnectorState> connectorState(String name) {
        ConnectorStateInfo info;
        try {
            info = herder.connectorStatus(name);
        } catch (NotFoundException e) {
            return Optional.empty();
        }
        List<ConnectorState.TaskState> tasks = info.tasks().stream()
                .sorted(Comparator.comparingInt(ConnectorStateInfo.TaskState::id))
                .map(t -> new ConnectorState.TaskState(t.id(), t.state(), t.trace()))
                .toList();
        return Optional.of(new ConnectorState(info.name(), info.connector().state(), info.connector().trace(), tasks));
    }

    /** Deletes a connector, stopping its tasks; nothing happens when it does not exist. */
    public void deleteConnector(String name) {
        FutureCallback<Herder.Created<ConnectorInfo>> deleted = new FutureCallback<>();
        herder.deleteConnectorConfig(name, deleted);
        try {
            deleted.get(DEFAULT_RUNNING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof NotFoundException)) {
                throw new IllegalStateException("cannot delete connector " + name + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("connector " + name + " not deleted within " + DEFAULT_RUNNING_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting connector " + name, e);
        }
    }

    // Connect offers no status listener on the standalone herder, so poll on a scheduler with
    // a deadline; a FAILED state ends the wait at once instead of burning the whole timeout.
    private ConnectorState awaitRunning(String name, Duration timeout) {
        CompletableFuture<ConnectorState> outcome = new CompletableFuture<>();
        AtomicReference<ConnectorState> last = new AtomicReference<>();
        ScheduledFuture<?> polling = poller.scheduleWithFixedDelay(() -> {
            try {
                Optional<ConnectorState> state = connectorState(name);
                state.ifPresent(last::set);
                if (state.isPresent() && state.get().isRunning()) {
                    outcome.complete(state.get());
                } else if (state.isPresent() && state.get().hasFailed()) {
                    outcome.completeExceptionally(new IllegalStateException(
                            "connector " + name + " failed:\n" + state.get().describe()));
                }
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        }, 0, POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IllegalStateException ise ? ise
                    : new IllegalStateException("cannot read the state of connector " + name, e.getCause());
        } catch (TimeoutException e) {
            ConnectorState seen = last.get();
            throw new IllegalStateException("connector " + name + " not RUNNING within " + timeout + ": "
                    + (seen == null ? "the worker never reported it" : seen.describe()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for connector " + name, e);
        } finally {
            polling.cancel(false);
        }
    }

    /** Stops every connector (sink tasks flush and commit), the worker and the REST server. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        poller.shutdownNow();
        long stopNanos = System.nanoTime();
        connect.stop();
        log.info("Embedded Connect worker stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNanos));
    }
}
