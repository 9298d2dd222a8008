package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.Endpoint;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sweep's requests against a real endpoint, through the agent's own client and assembler:
 * the same prompt construction (unique nonce first, exact input length), limits and timings as a
 * probe round, so sweep and probe numbers compare. Prompts are built on a small pool, never on
 * the event loop that a closed-loop user's next request is chained from.
 */
final class HttpSweepLoad implements SweepLoad, AutoCloseable {

    private final Endpoint endpoint;
    private final String apiKey;
    private final int inputTokens;
    private final int maxTokens;
    private final Clock wallClock;
    private final StreamingHttpClient client;
    private final PromptBuilder prompts = new PromptBuilder(Tokenizer.O200K);
    private final ResultAssembler assembler = new ResultAssembler(Tokenizer.O200K);
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "sweep-prompts");
        t.setDaemon(true);
        return t;
    });

    HttpSweepLoad(Endpoint endpoint, String apiKey, int inputTokens, int maxTokens, Limits limits, Clock wallClock,
                  Ticker ticker) {
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.inputTokens = inputTokens;
        this.maxTokens = maxTokens;
        this.wallClock = wallClock;
        this.client = new StreamingHttpClient(2, ticker, limits);
    }

    @Override
    public CompletableFuture<SweepSample> send(int inFlight) {
        return CompletableFuture.supplyAsync(() -> prompts.build("[sweep " + UUID.randomUUID() + "]\n"
                        + "The following words are filler; ignore them.\n",
                "\n\nNow write a long story about a lighthouse keeper and do not stop early.", null, 0, inputTokens), workers)
                .thenCompose(prompt -> {
                    ProbeRequest request = new ProbeRequest(endpoint.getEndpointId(), "sweep", "sweep", 0,
                            "sweep", ProbeRequest.TIMING, inputTokens, inFlight, maxTokens, prompt.tokens(), null, null, null);
                    long startedAtMs = wallClock.millis();
                    HttpCall call = Protocols.call(endpoint, apiKey, prompt.text(), maxTokens, null);
                    return client.post(call, StreamParser.forProtocol(endpoint.getProtocol()))
                            .thenApply(ex -> SweepSample.of(assembler.assemble(request, ex, startedAtMs, apiKey)));
                })
                .exceptionally(e -> SweepSample.failed());
    }

    @Override
    public void close() {
        client.close();
        workers.shutdownNow();
    }
}
