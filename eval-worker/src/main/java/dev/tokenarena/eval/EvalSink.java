package dev.tokenarena.eval;

import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;

/**
 * Where the worker's records go: Kafka in production ({@link KafkaEvalSink}), a list in tests.
 * Called from several request threads at once, so implementations must be thread-safe.
 */
public interface EvalSink {

    void accept(EvalItemResult result);

    void accept(FingerprintSample sample);
}
