package dev.tokenarena.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body but gives up, and cancels the download, once it passes a byte
 * limit: a hostile or broken endpoint must not be able to fill the heap.
 */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

    /** The body passed the limit; the message names the limit. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("response body exceeds the limit of " + limit + " bytes");
        }
    }

    private final long limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
    private Flow.Subscription subscription;
    private boolean done;

    BoundedBodySubscriber(long limit) {
        this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (done) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            if ((long) body.size() + buffer.remaining() > limit) {
                done = true;
                subscription.cancel();
                result.completeExceptionally(new TooLargeException(limit));
                return;
            }
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            body.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable t) {
        done = true;
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        if (!done) {
            done = true;
            result.complete(body.toByteArray());
        }
    }
}
