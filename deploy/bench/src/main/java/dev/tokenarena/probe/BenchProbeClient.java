package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The probe agent's own request path, opened for the benchmark harness: {@link StreamingHttpClient}
 * (Netty, one connection per request), the protocol {@link StreamParser}, and
 * {@link ResultAssembler} (local token count, timing figures) exactly as {@code ProbeAgent.send}
 * chains them. Those classes are package-private by design, so this one bridge lives in their
 * package (same package, another jar: fine on the class path) and is the only class of the bench
 * that changes when the agent's internals move.
 *
 * <p>Beyond the published ProbeResult it hands back the raw Ticker readings of the exchange so
 * the harness can compare them with the server's own send times on the same monotonic clock.
 */
public final class BenchProbeClient implements AutoCloseable {

    /** One finished request: the result as the agent would publish it, and the raw readings. */
    public record Sample(ProbeResult result, long startNanos, long firstTokenNanos, long lastTokenNanos,
                         int tokenChunks, String serverRequestId) {
    }

    private final Ticker ticker;
    private final StreamingHttpClient client;
    private final ResultAssembler assembler = new ResultAssembler(Tokenizer.O200K);
    private final PromptBuilder prompts = new PromptBuilder(Tokenizer.O200K);
    private final Executor workers;

    /**
     * @param ioThreads Netty event-loop threads (the agent's {@code io.threads})
     * @param workers where results are assembled, like the agent's worker pool
     * @param transport {@code auto} (what the agent uses: epoll where it works, else NIO), {@code epoll} or {@code nio}
     */
    public BenchProbeClient(int ioThreads, Ticker ticker, Executor workers, String transport) {
        this.ticker = ticker;
        this.client = new StreamingHttpClient(ioThreads, ticker, Limits.defaults(), StreamingHttpClient.defaultSsl(),
                Transport.named(transport));
        this.workers = workers;
    }

    /** The socket layer in use, {@code epoll} or {@code nio}. */
    public String transport() {
        return client.transportName();
    }

    /** Why epoll is not in use here, or null. */
    public static String epollProblem() {
        return Transport.epollProblem();
    }

    /** Name prefix of the client's event-loop threads, to read their CPU time apart. */
    public static String ioThreadPrefix() {
        return StreamingHttpClient.IO_THREAD_PREFIX;
    }

    /** A prepared OpenAI-chat request of exactly {@code inputTokens} o200k tokens to {@code baseUrl}. */
    public Prepared prepare(String baseUrl, int inputTokens, int maxTokens) {
        Endpoint endpoint = Endpoint.newBuilder().setEndpointId("bench").setProvider("bench").setModel("bench")
                .setSku("bench").setPrecision("bf16").setDecoding("default").setRegion("local")
                .setGridZone("NONE").setProtocol("openai-chat").setBaseUrl(baseUrl).setModelName("bench")
                .setReference(false).setContextTokens(131072).setLogprobs(false).setUpdatedAtMs(1L).build();
        PromptBuilder.Prompt prompt = prompts.build("[probe " + UUID.randomUUID() + "]\nfiller follows.\n",
                "\n\nNow write a long story.", null, 0, inputTokens);
        ProbeRequest request = new ProbeRequest("bench", "local", "bench-agent", 0, "bench", ProbeRequest.TIMING,
                inputTokens, 1, maxTokens, prompt.tokens(), null, null, null);
        return new Prepared(request, Protocols.call(endpoint, null, prompt.text(), maxTokens, 0.0));
    }

    /** A request ready to send; opaque to callers. */
    public static final class Prepared {
        private final ProbeRequest request;
        private final HttpCall call;

        private Prepared(ProbeRequest request, HttpCall call) {
            this.request = request;
            this.call = call;
        }
    }

    /** Sends one prepared request; the sample is assembled on the worker executor, as in the agent. */
    public CompletableFuture<Sample> send(Prepared prepared, long startedAtMs) {
        return client.post(prepared.call, StreamParser.forProtocol("openai-chat"))
                .thenApplyAsync(exchange -> {
                    ProbeResult result = assembler.assemble(prepared.request, exchange, startedAtMs, null);
                    StreamRecorder s = exchange.stream();
                    return new Sample(result, exchange.startNanos(), s.firstTokenNanos(), s.lastTokenNanos(),
                            s.tokenChunkNanos().length, s.requestId());
                }, workers);
    }

    /** The ticker this client stamps with. */
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public void close() {
        client.close();
    }
}
