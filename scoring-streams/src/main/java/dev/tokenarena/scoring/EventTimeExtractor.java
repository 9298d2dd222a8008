package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.EvalItemResult;
import dev.tokenarena.schemas.v1.FingerprintSample;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.schemas.v1.ProbeResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time is the measurement time carried in the record, never the produce or wall time, so a
 * replay of the same input gives the same windows. A missing or non-positive event time falls
 * back to the record's own timestamp (and then to the partition time) instead of being dropped
 * silently: the validation branch then sends such a record to the DLQ with its reason.
 */
public final class EventTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long ts = eventTime(record.value());
        if (ts > 0) {
            return ts;
        }
        if (record.timestamp() >= 0) {
            return record.timestamp();
        }
        return Math.max(partitionTime, 0L);
    }

    static long eventTime(Object value) {
        if (value instanceof ProbeResult r) {
            return r.getStartedAtMs();
        } else if (value instanceof EvalItemResult r) {
            return r.getStartedAtMs();
        } else if (value instanceof FingerprintSample s) {
            return s.getSampledAtMs();
        } else if (value instanceof PriceQuote p) {
            return p.getEffectiveFromMs();
        } else if (value instanceof EnergyProfile e) {
            return e.getEffectiveFromMs();
        } else if (value instanceof GridIntensity g) {
            return g.getEffectiveFromMs();
        } else if (value instanceof Endpoint e) {
            return e.getUpdatedAtMs();
        }
        return -1;
    }
}
