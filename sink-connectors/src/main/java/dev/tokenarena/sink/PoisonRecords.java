package dev.tokenarena.sink;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task sends records it cannot use. Connect's own DLQ only sees converter failures; our
 * decoding happens inside the task, so it reports through the {@link ErrantRecordReporter}
 * (the DLQ when {@code errors.tolerance=all} and a DLQ topic is set). Every skipped record is
 * counted, in a plugin metric too, and logged with its coordinates, throttled. A poison record
 * never stops the task, even under {@code errors.tolerance=none}: one bad leaderboard must not
 * freeze every later one.
 */
final class PoisonRecords {

    static final String METRIC = "poison-records-total";
    /** The first few are logged at WARN, then one in {@link #LOG_EVERY}: a bad producer must not flood the log. */
    static final int LOG_FIRST = 10;
    static final int LOG_EVERY = 1000;
    static final int MAX_REASON_CHARS = 300;

    private static final Logger log = LoggerFactory.getLogger(PoisonRecords.class);

    private final String logPrefix;
    private final ErrantRecordReporter reporter;
    private final AtomicLong count = new AtomicLong();

    PoisonRecords(String logPrefix, SinkTaskContext context) {
        this.logPrefix = logPrefix;
        this.reporter = reporterOf(context);
        registerMetric(context);
    }

    private static ErrantRecordReporter reporterOf(SinkTaskContext context) {
        if (context == null) {
            return null;
        }
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            // A worker older than Kafka 2.6 has no reporter: log and count only.
            return null;
        }
    }

    private void registerMetric(SinkTaskContext context) {
        if (context == null) {
            return;
        }
        try {
            PluginMetrics metrics = context.pluginMetrics();
            if (metrics != null) {
                metrics.addMetric(metrics.metricName(METRIC, "Records skipped because they could not be decoded "
                        + "or used, count since the task started.", new LinkedHashMap<>()),
                        (Measurable) (config, now) -> count.get());
            }
        } catch (RuntimeException | LinkageError e) {
            log.debug("{} no plugin metrics on this worker: {}", logPrefix, e.toString());
        }
    }

    /** Skips one record: reports it to the DLQ when possible, counts it, logs its coordinates. */
    void report(SinkRecord record, String reason, Throwable error) {
        long n = count.incrementAndGet();
        String where = record.originalTopic() + "/" + record.originalKafkaPartition() + "@" + record.originalKafkaOffset();
        String dlq = "not reported (no errant-record reporter; set errors.tolerance=all and "
                + "errors.deadletterqueue.topic.name to keep such records)";
        if (reporter != null) {
            try {
                reporter.report(record, error == null ? new ConnectException(reason) : new ConnectException(reason, error));
                dlq = "reported to the errant-record reporter";
            } catch (ConnectException e) {
                // errors.tolerance=none makes the reporter throw; we still skip, see the class comment.
                dlq = "not reported (" + cap(e.getMessage()) + ")";
            }
        }
        if (n <= LOG_FIRST || n % LOG_EVERY == 0) {
            log.warn("{} skipped record {}: {}; {}; {} skipped so far", logPrefix, where, cap(reason), dlq, n);
        } else {
            log.debug("{} skipped record {}: {}; {}; {} skipped so far", logPrefix, where, cap(reason), dlq, n);
        }
    }

    long count() {
        return count.get();
    }

    static String cap(String s) {
        if (s == null) {
            return "unknown";
        }
        return s.length() <= MAX_REASON_CHARS ? s : s.substring(0, MAX_REASON_CHARS) + "...";
    }
}
