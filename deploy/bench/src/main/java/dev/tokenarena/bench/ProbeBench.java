package dev.tokenarena.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenarena.probe.BenchProbeClient;
import dev.tokenarena.probe.ProbeAgentMain;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.simulator.SkuSpec;
import dev.tokenarena.simulator.WireStyle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arena bench probe}: N concurrent streams through the probe agent's own client
 * (StreamingHttpClient, the OpenAI parser and the ResultAssembler, via {@link BenchProbeClient})
 * against a {@link ScheduleServer} in a child JVM that streams on the SKU's schedule and records
 * when it wrote each token. TTFT error = the agent's reported {@code ttft_ms} minus the true TTFT
 * (server's first-token write minus the client's request start), both on CLOCK_MONOTONIC; TPOT
 * error likewise against the server's (last write - first write) / (tokens - 1). CPU and heap are
 * this JVM's (the server runs in its own process). The same server then serves the same number
 * of streams to a Python asyncio client (standard library only) and its figures are compared.
 *
 * <p>A benchmark, not a test: it prints figures and asserts nothing about them.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Benchmark the probe client: TTFT/TPOT error against server send times, CPU per 1k tokens, "
                + "heap peak; the same streams through a Python asyncio client for comparison.")
public final class ProbeBench implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/v1/chat/completions";

    @Spec
    CommandSpec spec;

    @Option(names = "--streams", defaultValue = "100", description = "Concurrent streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--ramp-ms", defaultValue = "0", description = "Start the streams evenly over this many ms; 0 starts "
            + "them all at once, a burst whose first tokens land together (default ${DEFAULT-VALUE}).")
    long rampMs;

    @Option(names = "--transport", defaultValue = "auto", description = "Client socket layer: auto (the agent's choice: "
            + "epoll where it works, else nio), epoll or nio (default ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--client-cpus", defaultValue = "", description = "Run the client (and the Python client it starts) "
            + "on these CPUs, e.g. 0, with taskset; empty: no pinning (default).")
    String clientCpus;

    @Option(names = "--client-java-options", defaultValue = ProbeAgentMain.JVM_OPTIONS, description = "JVM options of "
            + "the client, space-separated (default: the probe agent's, ${DEFAULT-VALUE}). The bench starts itself again "
            + "with them (and under taskset with --client-cpus), so the client JVM is set up as a deployed agent's, "
            + "collector and compiler threads sized for its CPUs; empty with no --client-cpus: this JVM measures.")
    String clientJavaOptions;

    @Option(names = "--server-java-options", defaultValue = "", description = "Extra JVM options for the schedule server, "
            + "space-separated (e.g. a GC or -XX:StartFlightRecording=...); default none.")
    String serverJavaOptions;

    @Option(names = "--server-cpus", defaultValue = "", description = "Run the schedule server under taskset on these CPUs, "
            + "e.g. 1; empty: no pinning (default).")
    String serverCpus;

    @Option(names = "--samples-out", description = "Also write every measured stream of our client as a CSV line "
            + "(round, stream, request start, server's first write, TTFT error in ms), to see which streams a bad round delayed.")
    Path samplesOut;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Option(names = "--tokens", defaultValue = "128", description = "Output tokens per stream (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--ttft-ms", defaultValue = "200", description = "Scheduled time to first token, ms (default ${DEFAULT-VALUE}).")
    double ttftMs;

    @Option(names = "--tokens-per-second", defaultValue = "40", description = "Scheduled output speed per stream (default ${DEFAULT-VALUE}).")
    double tokensPerSecond;

    @Option(names = "--input-tokens", defaultValue = "256", description = "Prompt length, o200k tokens (default ${DEFAULT-VALUE}).")
    int inputTokens;

    @Option(names = "--io-threads", defaultValue = "1", description = "Client event-loop threads (default ${DEFAULT-VALUE}: one core's worth).")
    int ioThreads;

    @Option(names = "--server-threads", defaultValue = "1", description = "Schedule server event-loop threads (default ${DEFAULT-VALUE}).")
    int serverThreads;

    @Option(names = "--warmup", defaultValue = "-1", description = "Streams per unmeasured warm-up round "
            + "(default: as many as --streams).")
    int warmup;

    @Option(names = "--warmup-rounds", defaultValue = "2", description = "Unmeasured rounds first, so the measured ones "
            + "see the JIT-compiled client an agent runs on after its first minutes (default ${DEFAULT-VALUE}).")
    int warmupRounds;

    @Option(names = "--repeats", defaultValue = "3", description = "Measured rounds per client, alternating which client goes first; "
            + "headline figures are the median over rounds (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--other-client", defaultValue = "python", description = "python or none (default ${DEFAULT-VALUE}).")
    String otherClient;

    @Option(names = "--python", defaultValue = "python3", description = "Python 3 interpreter (default ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Give up on a phase after this long (default ${DEFAULT-VALUE}).")
    long timeoutS;

    /** For picocli. */
    public ProbeBench() {
    }

    /** The client JVM that {@link Pinning#runChild} starts. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ProbeBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (warmup < 0) {
            warmup = streams;
        }
        if (streams < 1 || tokens < 2 || ioThreads < 1 || warmupRounds < 0 || repeats < 1 || rampMs < 0 || rampMs > 600_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "need --streams >= 1, --tokens >= 2, "
                    + "--io-threads >= 1, --warmup-rounds >= 0, --repeats >= 1, 0 <= --ramp-ms <= 600000");
        }
        if (!clientCpus.isEmpty() && serverCpus.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--client-cpus needs --server-cpus: the server would otherwise inherit the client's CPUs");
        }
        if ((!clientCpus.isEmpty() || !clientJavaOptions.isBlank()) && System.getProperty(Pinning.CHILD_PROPERTY) == null) {
            // This command's own arguments: after its name when it runs as a subcommand (arena bench
            // probe ..., bench probe ...), whose parents take no option values.
            List<String> args = spec.root().commandLine().getParseResult().originalArgs();
            if (spec.parent() != null) {
                args = args.subList(args.indexOf(spec.name()) + 1, args.size());
            }
            return Pinning.runChild(clientCpus, clientJavaOptions, args, spec.commandLine().getOut());
        }
        ObjectNode out = run();
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(JSON.writeValueAsString(out));
        } else {
            w.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        }
        w.flush();
        return 0;
    }

    /** One server stamp line. */
    record Stamp(long receivedNanos, long firstSentNanos, long lastSentNanos, int tokens, long maxLatenessNanos) {
        double ttftMs(long clientStartNanos) {
            return (firstSentNanos - clientStartNanos) / 1e6;
        }

        double tpotMs() {
            return (lastSentNanos - firstSentNanos) / 1e6 / (tokens - 1);
        }
    }

    ObjectNode run() throws Exception {
        // The SKU under test, in the simulator's own terms; the schedule server uses its timing with
        // no jitter and no prefill term so every token has one known due time.
        SkuSpec sku = SkuSpec.builder("bench-sku", WireStyle.VLLM).ttftMs(ttftMs).tokensPerSecond(tokensPerSecond)
                .jitterFraction(0).build();
        ObjectNode out = JSON.createObjectNode();
        out.put("streams", streams);
        // Burst: every stream starts at once, so their first tokens are due in the same few ms.
        out.put("start_pattern", rampMs == 0 ? "burst" : "ramp");
        out.put("ramp_ms", rampMs);
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        out.put("client_cpus", clientCpus.isEmpty() ? "any" : clientCpus);
        out.put("client_java_options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        out.put("server_cpus", serverCpus.isEmpty() ? "any" : serverCpus);
        out.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(java.util.stream.Collectors.joining(", ")));
        out.put("load_average_1m_start", ProcessMeter.loadAverage());
        ObjectNode sched = out.putObject("schedule");
        sched.put("sku", sku.endpointId());
        sched.put("ttft_ms", sku.ttftMs());
        sched.put("tokens_per_second", sku.tokensPerSecond());
        sched.put("tokens_per_stream", tokens);
        sched.put("input_tokens", inputTokens);
        out.put("io_threads", ioThreads);
        if (!"python".equals(otherClient) && !"none".equals(otherClient)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--other-client must be python or none, got '" + otherClient + "'");
        }
        boolean python = "python".equals(otherClient);
        List<Phase> ours = new ArrayList<>();
        List<Phase> theirs = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(sku, tokens, serverThreads, serverCpus, serverJavaOptions)) {
            ExecutorService workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
            try (BenchProbeClient client = new BenchProbeClient(ioThreads, Ticker.SYSTEM, workers, transport)) {
                out.put("transport", client.transport());
                out.put("server_transport", server.transport);
                if (BenchProbeClient.epollProblem() != null) {
                    out.put("epoll_unusable_because", BenchProbeClient.epollProblem());
                }
                String base = "http://127.0.0.1:" + server.port + "/v1";
                for (int w = 0; w < warmupRounds && warmup > 0; w++) {
                    runJava(client, base, warmup, new ProcessMeter());
                    server.stamps();
                }
                if (python) {
                    out.put("other_client_name", "python-asyncio " + pythonVersion());
                }
                // Alternate which client goes first, so a burst of load from other work on this
                // shared machine does not always land on the same one.
                for (int r = 0; r < repeats; r++) {
                    boolean otherFirst = r % 2 == 1;
                    if (python && otherFirst) {
                        theirs.add(pythonPhase(server));
                    }
                    ours.add(javaPhase(client, base, server));
                    if (python && !otherFirst) {
                        theirs.add(pythonPhase(server));
                    }
                }
            } finally {
                workers.shutdownNow();
            }
        }
        summarize(ours, out);
        out.put("heap_mb_peak", ours.stream().mapToDouble(Phase::heapMb).max().orElse(Double.NaN));
        out.set("rounds", JSON.valueToTree(ours.stream().map(Phase::toMap).toList()));
        if (python) {
            ObjectNode other = out.putObject("other_client");
            other.put("name", out.remove("other_client_name").asText());
            other.put("streams", streams);
            summarize(theirs, other);
            other.set("rounds", JSON.valueToTree(theirs.stream().map(Phase::toMap).toList()));
            ObjectNode ratio = out.putObject("ratio");
            ratio.put("ttft_error_p99_other_over_ours", Quantiles.round3(
                    other.path("ttft_error_ms_p99").asDouble() / out.path("ttft_error_ms_p99").asDouble()));
            ratio.put("cpu_per_1k_tokens_other_over_ours", Quantiles.round3(
                    other.path("cpu_ms_per_1k_tokens").asDouble() / out.path("cpu_ms_per_1k_tokens").asDouble()));
        }
        out.put("load_average_1m_end", ProcessMeter.loadAverage());
        return out;
    }

    private List<BenchProbeClient.Sample> runJava(BenchProbeClient client, String base, int n, ProcessMeter meter)
            throws Exception {
        List<BenchProbeClient.Prepared> prepared = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            prepared.add(client.prepare(base, inputTokens, tokens));
        }
        // Building 1,000 prompts with the tokenizer leaves tens of MB of garbage that is not the
        // client's; collect it now rather than in a pause in the middle of the measured streams.
        System.gc();
        meter.start();
        List<CompletableFuture<BenchProbeClient.Sample>> futures = new ArrayList<>(n);
        long t0 = System.nanoTime();
        long rampNanos = rampMs * 1_000_000L;
        for (int i = 0; i < n; i++) {
            if (rampNanos > 0) {
                // Stream i starts at i/n of the ramp: evenly spaced, the last one 1/n before its end.
                long due = t0 + rampNanos * i / n;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            }
            futures.add(client.send(prepared.get(i), System.currentTimeMillis()));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(timeoutS, TimeUnit.SECONDS);
        List<BenchProbeClient.Sample> samples = new ArrayList<>(n);
        for (CompletableFuture<BenchProbeClient.Sample> f : futures) {
            samples.add(f.join());
        }
        return samples;
    }

    /** The figures of one measured round of one client. */
    record Phase(int ok, double ttftP50, double ttftP99, double ttftMax, double tpotP50, double tpotP99,
                 long tokens, double cpuMs, double heapMb, double wallMs, double serverLatenessP99, double load,
                 double ioCpuUsPerChunk, long gcCount, long gcMs, double[] ttftErrors) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("ok_streams", ok);
            m.put("ttft_error_ms_p50", Quantiles.round3(ttftP50));
            m.put("ttft_error_ms_p99", Quantiles.round3(ttftP99));
            m.put("ttft_error_ms_max", Quantiles.round3(ttftMax));
            m.put("tpot_error_ms_p99", Quantiles.round3(tpotP99));
            m.put("tokens_received", tokens);
            m.put("cpu_ms", Quantiles.round3(cpuMs));
            if (!Double.isNaN(wallMs)) {
                m.put("wall_ms", Quantiles.round3(wallMs));
            }
            if (!Double.isNaN(heapMb)) {
                m.put("heap_mb_peak", Quantiles.round3(heapMb));
            }
            if (!Double.isNaN(ioCpuUsPerChunk)) {
                m.put("io_thread_cpu_us_per_chunk", Quantiles.round3(ioCpuUsPerChunk));
            }
            if (gcCount >= 0) {
                m.put("gc_count", gcCount);
                m.put("gc_ms", gcMs);
            }
            m.put("server_lateness_ms_p99", Quantiles.round3(serverLatenessP99));
            m.put("load_average_1m", Quantiles.round3(load));
            return m;
        }
    }

    private static Phase phase(int ok, List<Double> ttftErr, List<Double> tpotErr, long tokens, double cpuMs,
                               double heapMb, double wallMs, List<Double> lateness, double ioCpuUsPerChunk,
                               long gcCount, long gcMs) {
        double[] t = toArray(ttftErr);
        double[] p = toArray(tpotErr);
        return new Phase(ok, Quantiles.of(t, 0.5), Quantiles.of(t, 0.99), Quantiles.of(t, 1.0), Quantiles.of(p, 0.5),
                Quantiles.of(p, 0.99), tokens, cpuMs, heapMb, wallMs, Quantiles.of(toArray(lateness), 0.99),
                ProcessMeter.loadAverage(), ioCpuUsPerChunk, gcCount, gcMs, t);
    }

    /** Headline figures: median over rounds for the error quantiles, totals for CPU per token. */
    private static void summarize(List<Phase> rounds, ObjectNode out) {
        out.put("ok_streams", rounds.stream().mapToInt(Phase::ok).min().orElse(0));
        out.put("ttft_error_ms_p50", Quantiles.round3(median(rounds, Phase::ttftP50)));
        out.put("ttft_error_ms_p99", Quantiles.round3(median(rounds, Phase::ttftP99)));
        // The same quantile over every stream of every round together (one bad round weighs its share).
        out.put("ttft_error_ms_p99_pooled", Quantiles.round3(Quantiles.of(
                rounds.stream().flatMapToDouble(r -> java.util.Arrays.stream(r.ttftErrors())).toArray(), 0.99)));
        out.put("tpot_error_ms_p50", Quantiles.round3(median(rounds, Phase::tpotP50)));
        out.put("tpot_error_ms_p99", Quantiles.round3(median(rounds, Phase::tpotP99)));
        out.put("server_lateness_ms_p99", Quantiles.round3(median(rounds, Phase::serverLatenessP99)));
        long tokens = rounds.stream().mapToLong(Phase::tokens).sum();
        double cpu = rounds.stream().mapToDouble(Phase::cpuMs).sum();
        out.put("tokens_received", tokens);
        out.put("cpu_ms_per_1k_tokens", Quantiles.round3(tokens == 0 ? Double.NaN : cpu / (tokens / 1000.0)));
    }

    private static double median(List<Phase> rounds, java.util.function.ToDoubleFunction<Phase> f) {
        return Quantiles.of(rounds.stream().mapToDouble(f).toArray(), 0.5);
    }

    /** Measured rounds of our client so far (numbers the lines of {@code --samples-out}). */
    private int javaRounds;

    private Phase javaPhase(BenchProbeClient client, String base, ServerProcess server) throws Exception {
        ProcessMeter meter = new ProcessMeter();
        long wall0 = System.nanoTime();
        long io0 = ProcessMeter.threadsCpuNanos(BenchProbeClient.ioThreadPrefix());
        List<BenchProbeClient.Sample> samples = runJava(client, base, streams, meter);
        double cpuMs = meter.cpuMs();
        long ioNanos = ProcessMeter.threadsCpuNanos(BenchProbeClient.ioThreadPrefix()) - io0;
        long chunks = samples.stream().mapToLong(BenchProbeClient.Sample::tokenChunks).sum();
        double heapMb = ProcessMeter.heapPeakMb();
        long wallNanos = System.nanoTime() - wall0;
        Map<String, Stamp> stamps = server.stamps();
        List<Double> ttftErr = new ArrayList<>();
        List<Double> tpotErr = new ArrayList<>();
        List<Double> lateness = new ArrayList<>();
        long tokensReceived = 0;
        int ok = 0;
        StringBuilder csv = new StringBuilder();
        int index = 0;
        for (BenchProbeClient.Sample s : samples) {
            Stamp st = s.serverRequestId() == null ? null : stamps.get(s.serverRequestId());
            index++;
            if (!"OK".equals(s.result().getOutcome()) || st == null) {
                continue;
            }
            ok++;
            tokensReceived += s.result().getOutputTokens();
            double err = s.result().getTtftMs() - st.ttftMs(s.startNanos());
            ttftErr.add(err);
            csv.append(javaRounds).append(',').append(index).append(',').append(s.startNanos()).append(',')
                    .append(st.firstSentNanos()).append(',').append(Quantiles.round3(err)).append('\n');
            if (s.result().getTpotMs() != null) {
                tpotErr.add(Math.abs(s.result().getTpotMs() - st.tpotMs()));
            }
            lateness.add(st.maxLatenessNanos() / 1e6);
        }
        if (samplesOut != null) {
            if (javaRounds == 0) {
                Files.writeString(samplesOut, "round,stream,start_nanos,server_first_write_nanos,ttft_error_ms\n");
            }
            Files.writeString(samplesOut, csv, java.nio.file.StandardOpenOption.APPEND);
        }
        javaRounds++;
        return phase(ok, ttftErr, tpotErr, tokensReceived, cpuMs, heapMb, wallNanos / 1e6, lateness,
                chunks == 0 ? Double.NaN : ioNanos / 1e3 / chunks, meter.gcCountSince(), meter.gcMsSince());
    }

    private Phase pythonPhase(ServerProcess server) throws Exception {
        Path dir = Files.createTempDirectory("arena-bench-py-");
        try {
            Path script = dir.resolve("asyncio_client.py");
            try (InputStream in = ProbeBench.class.getResourceAsStream("/bench/asyncio_client.py")) {
                if (in == null) {
                    throw new IllegalStateException("classpath resource /bench/asyncio_client.py is missing");
                }
                Files.copy(in, script);
            }
            Path body = dir.resolve("body.json");
            ObjectNode b = JSON.createObjectNode();
            b.put("model", "bench");
            b.putArray("messages").addObject().put("role", "user").put("content", " word".repeat(inputTokens));
            b.put("max_tokens", tokens).put("stream", true).put("temperature", 0.0);
            b.putObject("stream_options").put("include_usage", true);
            Files.write(body, JSON.writeValueAsBytes(b));
            Process p = new ProcessBuilder(python, script.toString(), "127.0.0.1", Integer.toString(server.port), PATH,
                    Integer.toString(streams), body.toString(), Long.toString(rampMs))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("the Python client failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
            JsonNode res = JSON.readTree(stdout);
            Map<String, Stamp> stamps = server.stamps();
            List<Double> ttftErr = new ArrayList<>();
            List<Double> tpotErr = new ArrayList<>();
            List<Double> lateness = new ArrayList<>();
            long tokensReceived = 0;
            int ok = 0;
            for (JsonNode s : res.path("streams")) {
                Stamp st = stamps.get(s.path("id").asText(""));
                if (st == null || !s.path("done").asBoolean() || s.path("first").isNull()) {
                    continue;
                }
                ok++;
                int n = s.path("tokens").asInt();
                tokensReceived += n;
                ttftErr.add((s.path("first").asLong() - st.firstSentNanos()) / 1e6);
                lateness.add(st.maxLatenessNanos() / 1e6);
                if (n > 1) {
                    tpotErr.add(Math.abs((s.path("last").asLong() - s.path("first").asLong()) / 1e6 / (n - 1) - st.tpotMs()));
                }
            }
            double cpuMs = res.path("cpu_ms").asDouble();
            return phase(ok, ttftErr, tpotErr, tokensReceived, cpuMs, Double.NaN, Double.NaN, lateness, Double.NaN, -1, -1);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private String pythonVersion() {
        try {
            Process p = new ProcessBuilder(python, "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return v;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot run " + python + " (set --python or --other-client none): " + e.getMessage(), e);
        }
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The schedule server in a child JVM, so its CPU and heap are not counted as the client's. */
    static final class ServerProcess implements AutoCloseable {
        final Process process;
        final int port;
        final String transport;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        private ServerProcess(Process process, int port, String transport) {
            this.process = process;
            this.port = port;
            this.transport = transport;
        }

        static ServerProcess start(SkuSpec sku, int tokens, int threads, String cpus, String javaOptions)
                throws IOException {
            List<String> options = new ArrayList<>(Pinning.split(javaOptions));
            options.add("-Xmx512m");
            List<String> cmd = Pinning.java(cpus, options, ScheduleServer.class);
            cmd.addAll(List.of("--port", "0", "--ttft-ms", Double.toString(sku.ttftMs()),
                    "--tokens-per-second", Double.toString(sku.tokensPerSecond()), "--tokens", Integer.toString(tokens),
                    "--threads", Integer.toString(threads)));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("LISTENING ")) {
                    String[] f = line.trim().split(" ");
                    return new ServerProcess(p, Integer.parseInt(f[1]), f.length > 2 ? f[2] : "?");
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("the schedule server child process ended before listening (exit "
                    + (p.isAlive() ? "?" : p.exitValue()) + ")");
        }

        Map<String, Stamp> stamps() throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_stamps"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Stamp> m = new HashMap<>();
            for (String line : r.body().split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 6) {
                    m.put(f[0], new Stamp(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                            Integer.parseInt(f[4]), Long.parseLong(f[5])));
                }
            }
            return m;
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
