package dev.tokenarena.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.InMemorySchemaRegistry;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintPosition;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.TokenLogprob;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaEvalSinkTest {

    @Test
    void shouldKeyByEndpointAndRoundTripWhenRecordsSent() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        EvalItemResult result = EvalItemResult.newBuilder().setResultId("r1").setEndpointId("acme-a").setRunId("run")
                .setSuite("gsm8k-sample").setItemId("gsm8k-sample-0000").setStartedAtMs(1L).setOutcome("OK")
                .setCorrect(true).setExpectedAnswer("44").setExtractedAnswer("44").setInputTokens(100)
                .setOutputTokens(50).setLatencyMs(12.5).setCostUsd(0.0007).build();
        FingerprintSample sample = FingerprintSample.newBuilder().setSampleId("s1").setEndpointId("acme-b")
                .setModel("llama").setPromptSet("fp-v1").setPromptId("fp-v1-0000").setRunId("run").setSampledAtMs(2L)
                .setTopK(5).setLogprobsAvailable(true).setCompletion("Hi")
                .setPositions(List.of(new FingerprintPosition("Hi", -0.1, List.of(new TokenLogprob("Hi", -0.1)))))
                .build();
        try (KafkaEvalSink sink = new KafkaEvalSink(producer, registry)) {
            sink.accept(result);
            sink.accept(sample);
        }
        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertEquals(2, sent.size());
        assertEquals(Topics.EVAL_RESULTS.name(), sent.get(0).topic());
        assertEquals("acme-a", sent.get(0).key());
        assertEquals(0, sent.get(0).value()[0]); // Confluent magic byte
        assertEquals(result, AvroWireSerde.forTopic(Topics.EVAL_RESULTS, registry).decode(sent.get(0).value()));
        assertEquals(Topics.EVAL_FINGERPRINTS.name(), sent.get(1).topic());
        assertEquals("acme-b", sent.get(1).key());
        assertEquals(sample, AvroWireSerde.forTopic(Topics.EVAL_FINGERPRINTS, registry).decode(sent.get(1).value()));
    }

    @Test
    void shouldUseIdempotentAllAcksProducerWhenBuiltFromBootstrap() {
        var config = KafkaEvalSink.producerConfig("broker:9092");
        assertEquals(true, config.get("enable.idempotence"));
        assertEquals("all", config.get("acks"));
    }
}
