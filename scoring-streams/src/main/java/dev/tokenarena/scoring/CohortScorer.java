package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.EndpointComposite;
import dev.tokenarena.scoring.avro.EndpointSummary;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by model (the cohort): keeps the latest summary per (model, endpoint) and, on a
 * stream-time punctuation every emit interval, scores each cohort that changed since the last
 * punctuation and emits one composite per (member, preset), keyed by endpoint_id. The changed
 * set is a store too, so a restart does not lose pending work. Cohort normalization needs all
 * members at once, hence one task per model rather than per endpoint.
 *
 * <pre>
 * stream time | input                 | output (emit interval 1 min)
 * 10:00:10    | summary e1 (model m)  | -   (m marked changed)
 * 10:00:40    | summary e2 (model m)  | -
 * 10:01:10    | summary e1 (model m)  | punctuation: composites of e1, e2 for every preset at 10:01:10
 * </pre>
 */
final class CohortScorer implements Processor<String, EndpointSummary, String, EndpointComposite> {

    private final String summaryStoreName;
    private final String changedStoreName;
    private final ScoringParams params;
    private ProcessorContext<String, EndpointComposite> context;
    private KeyValueStore<String, EndpointSummary> summaries;
    private KeyValueStore<String, Long> changed;

    CohortScorer(String summaryStoreName, String changedStoreName, ScoringParams params) {
        this.summaryStoreName = summaryStoreName;
        this.changedStoreName = changedStoreName;
        this.params = params;
    }

    @Override
    public void init(ProcessorContext<String, EndpointComposite> context) {
        this.context = context;
        this.summaries = context.getStateStore(summaryStoreName);
        this.changed = context.getStateStore(changedStoreName);
        context.schedule(params.emitInterval(), PunctuationType.STREAM_TIME, this::emit);
    }

    @Override
    public void process(Record<String, EndpointSummary> record) {
        EndpointSummary s = record.value();
        if (record.key() == null || s == null) {
            return;
        }
        summaries.put(ScoringTopology.compositeKey(record.key(), s.getEndpointId()), s);
        changed.put(record.key(), record.timestamp());
    }

    private void emit(long streamTimeMs) {
        List<String> models = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = changed.all()) {
            it.forEachRemaining(kv -> models.add(kv.key));
        }
        for (String model : models) {
            List<EndpointSummary> cohort = new ArrayList<>();
            try (KeyValueIterator<String, EndpointSummary> it =
                         summaries.prefixScan(ScoringTopology.compositeKey(model, ""), new StringSerializer())) {
                it.forEachRemaining((KeyValue<String, EndpointSummary> kv) -> cohort.add(kv.value));
            }
            for (EndpointComposite c : CohortScoring.score(cohort, params, streamTimeMs)) {
                context.forward(new Record<>(c.getEndpointId(), c, streamTimeMs));
            }
            changed.delete(model);
        }
    }
}
