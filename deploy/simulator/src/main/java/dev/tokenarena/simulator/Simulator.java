package dev.tokenarena.simulator;

import com.knuddels.jtokkit.api.Encoding;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated LLM endpoints behind real HTTP: one listening port per region, every
 * endpoint reachable on every port at {@code /<endpointId>/v1}. See the module README for the
 * truth model (what each {@link SkuSpec} field does to the answers and their timing).
 *
 * <pre>{@code
 * try (Simulator sim = Simulator.start(DefaultFleet.specs(),
 *     List.of(new RegionListener("us-east", 0, 10)))) {
 *   String url = sim.baseUrl("us-east", DefaultFleet.REFERENCE); // http://127.0.0.1:<port>/meta-.../v1
 *   sim.update(DefaultFleet.FAITHFUL, DefaultFleet.silentQuantization());
 * }
 * }</pre>
 */
public final class Simulator implements AutoCloseable {

  /** Request bodies above this size are answered 413. */
  public static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;
  /** Seed of the failure draws and per-request noise when none is given. */
  public static final long DEFAULT_SEED = 42L;
  private static final int MAX_PENDING_PLANS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);

  private final Fleet fleet;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService compute;
  private final Map<String, Channel> listeners;

  private Simulator(Fleet fleet, EventLoopGroup boss, EventLoopGroup workers,
      ExecutorService compute, Map<String, Channel> listeners) {
    this.fleet = fleet;
    this.boss = boss;
    this.workers = workers;
    this.compute = compute;
    this.listeners = listeners;
  }

  public static Simulator start(List<SkuSpec> specs, List<RegionListener> listeners) {
    return start(specs, listeners, DEFAULT_SEED);
  }

  /**
   * Binds one port per region on 127.0.0.1 and returns once every port accepts connections.
   *
   * @param seed seeds failure draws and per-request run noise and jitter
   */
  public static Simulator start(List<SkuSpec> specs, List<RegionListener> listeners, long seed) {
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("the simulator needs at least one RegionListener");
    }
    Fleet fleet = new Fleet(specs, seed);
    Encoding o200k = Vocabulary.o200k();
    Planner planner = new Planner(new Responder(
        new TokenModel(Vocabulary.build(o200k)), Gsm8kBank.loadDefault(), o200k));
    warmUp(planner, specs.get(0));
    int cpus = Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor compute = new ThreadPoolExecutor(cpus, cpus, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(MAX_PENDING_PLANS), daemonThreads("simulator-compute"));
    // Thread start-up would otherwise land in the first requests' TTFT.
    compute.prestartAllCoreThreads();
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(2, cpus), NioIoHandler.newFactory());
    Map<String, Channel> bound = new LinkedHashMap<>();
    Simulator simulator = new Simulator(fleet, boss, workers, compute, bound);
    try {
      for (RegionListener listener : listeners) {
        if (bound.containsKey(listener.region())) {
          throw new IllegalArgumentException("duplicate region " + listener.region());
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new BoundedAggregator(MAX_REQUEST_BYTES))
                    .addLast(new SimulatorHandler(fleet, planner, compute, listener));
              }
            });
        Channel channel = bootstrap.bind("127.0.0.1", listener.port()).syncUninterruptibly().channel();
        bound.put(listener.region(), channel);
        LOG.info("simulator region {} listening on {} (network delay {} ms)", listener.region(),
            channel.localAddress(), listener.networkDelayMs());
      }
      warmUp(simulator.port(listeners.get(0).region()));
    } catch (RuntimeException e) {
      simulator.close();
      throw e;
    }
    return simulator;
  }

  /** The bound port of a region. */
  public int port(String region) {
    Channel channel = listeners.get(region);
    if (channel == null) {
      throw new IllegalArgumentException("unknown region " + region + "; known: " + listeners.keySet());
    }
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** {@code http://127.0.0.1:<port>/<endpointId>/v1}, the base URL an OpenAI client wants. */
  public String baseUrl(String region, String endpointId) {
    fleet.require(endpointId);
    return "http://127.0.0.1:" + port(region) + "/" + endpointId + "/v1";
  }

  /** Regions in the order they were given. */
  public List<String> regions() {
    return List.copyOf(listeners.keySet());
  }

  /** Endpoint ids in the order they were given. */
  public List<String> endpointIds() {
    return fleet.endpointIds();
  }

  /**
   * Changes an endpoint atomically; requests that arrive afterwards see the new spec, requests
   * already being answered keep the old one.
   */
  public void update(String endpointId, UnaryOperator<SkuSpec> change) {
    fleet.update(endpointId, change);
    LOG.info("simulator endpoint {} is now {}", endpointId, fleet.spec(endpointId));
  }

  public SkuSpec spec(String endpointId) {
    return fleet.require(endpointId);
  }

  /** Requests routed to the endpoint so far, failed and rejected ones included. */
  public long requestCount(String endpointId) {
    return fleet.requestCount(endpointId);
  }

  @Override
  public void close() {
    for (Channel channel : listeners.values()) {
      channel.close().syncUninterruptibly();
    }
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.terminationFuture().syncUninterruptibly();
    compute.shutdownNow();
  }

  /**
   * Plans and renders one answer per route before the ports open: the first tokenizer call,
   * class loading and JSON set-up take long enough to distort the first TTFT a probe measures.
   */
  private static void warmUp(Planner planner, SkuSpec spec) {
    for (ApiRequest.Route route : ApiRequest.Route.values()) {
      ApiRequest request = new ApiRequest(route, DefaultFleet.MODEL, "warm up", 8, true, true, 0, 5);
      Plan plan = planner.plan(spec, request, 0, 0, false, "warm-up", 0);
      WireRenderer renderer = WireRenderer.of(route, spec.style());
      renderer.open(plan);
      renderer.token(plan, 0);
      renderer.close(plan);
      renderer.body(plan);
    }
  }

  /**
   * One {@code GET /healthz} over loopback so that the HTTP pipeline's classes are loaded before
   * the first real request: that first request would otherwise carry ~200 ms of class loading.
   */
  private static void warmUp(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(
          "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      socket.getInputStream().readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("simulator port " + port + " does not answer on loopback", e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
