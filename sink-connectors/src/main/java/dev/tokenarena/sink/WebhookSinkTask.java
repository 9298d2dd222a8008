package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.v1.DriftAlert;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each drift alert to the webhook, one request per record, in order.
 *
 * <ul>
 * <li>2xx: delivered.
 * <li>429, 408, 5xx, 1xx/3xx, connect or response timeout: retried within this put, with
 * exponential backoff (or the receiver's Retry-After), up to {@code webhook.max.retries}. Then
 * the put throws {@link RetriableException}; Connect redelivers the batch after
 * {@code webhook.retry.backoff.max.ms} and has committed no offset past the alert, so nothing is
 * lost, however long the receiver is down.
 * <li>Any other 4xx: the receiver refuses this record for good; it goes to the errant-record
 * reporter (the DLQ) through {@link PoisonRecords} with the status and a snippet of the answer,
 * and the next record is sent.
 * </ul>
 *
 * <p>Delivery is at-least-once: a crash after a 2xx and before the offset commit sends the alert
 * again. Every request carries {@code X-Arena-Delivery: <topic>-<partition>-<offset>} for the
 * receiver to dedupe. Within one task, records of a redelivered batch that were already
 * delivered or dead-lettered are skipped, so a retry of the batch does not repeat them.
 */
public final class WebhookSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(WebhookSinkTask.class);

    private WebhookSinkConfig config;
    private TopicDecoder decoder;
    private WebhookClient client;
    private PoisonRecords poison;
    private String logPrefix;
    /** Highest offset per partition this task has finished with (delivered or dead-lettered). */
    private final Map<TopicPartition, Long> done = new HashMap<>();
    private long delivered;
    private long attempts;

    @Override
    public String version() {
        return Versions.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new WebhookSinkConfig(props);
        logPrefix = "WebhookSinkTask[" + props.getOrDefault("name", "?") + "]";
        client = new WebhookClient(config);
        poison = new PoisonRecords(logPrefix, context);
        decoder = new TopicDecoder(List.of(Topics.ALERTS.name()), RegistrySettings.client(config), poison, "topics",
                logPrefix);
        log.info("{} started: {}", logPrefix, config);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            TopicPartition tp = new TopicPartition(record.topic(), record.kafkaPartition());
            Long last = done.get(tp);
            if (last != null && record.kafkaOffset() <= last) {
                continue;
            }
            handle(record);
            done.put(tp, record.kafkaOffset());
        }
    }

    private void handle(SinkRecord record) {
        DriftAlert alert;
        try {
            alert = (DriftAlert) decoder.decode(record);
        } catch (RetriableException e) {
            context.timeout(config.retryBackoffMaxMs()); // the registry is away: wait as for a receiver
            throw e;
        }
        if (alert == null) {
            return; // reported (or a tombstone, which the alerts topic does not carry)
        }
        deliver(record, WebhookBodies.body(config.format(), alert));
    }

    private void deliver(SinkRecord record, byte[] body) {
        String id = record.originalTopic() + "-" + record.originalKafkaPartition() + "-" + record.originalKafkaOffset();
        for (int retry = 0; ; retry++) {
            WebhookClient.Attempt attempt;
            try {
                attempts++;
                attempt = client.post(body, id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException(logPrefix + " interrupted while delivering " + id);
            }
            switch (attempt.outcome()) {
                case DELIVERED -> {
                    delivered++;
                    log.debug("{} delivered {} ({})", logPrefix, id, attempt.detail());
                    return;
                }
                case REJECTED -> {
                    poison.report(record, "webhook " + config.urlRedacted() + " rejected the alert with "
                            + attempt.detail(), null);
                    return;
                }
                case RETRY -> {
                    if (retry >= config.maxRetries()) {
                        // Connect keeps the batch, waits this long and calls put again with it.
                        context.timeout(config.retryBackoffMaxMs());
                        throw new RetriableException(logPrefix + " webhook " + config.urlRedacted() + " did not take "
                                + id + " after " + (retry + 1) + " attempts, last " + attempt.detail()
                                + "; Connect redelivers the batch in " + config.retryBackoffMaxMs() + " ms");
                    }
                    long waitMs = waitMs(retry, attempt);
                    log.warn("{} webhook {} did not take {}: {}; retry {} of {} in {} ms", logPrefix,
                            config.urlRedacted(), id, attempt.detail(), retry + 1, config.maxRetries(), waitMs);
                    sleep(waitMs, id);
                }
            }
        }
    }

    /** Backoff doubles per retry from webhook.retry.backoff.ms; a Retry-After replaces it; both capped. */
    long waitMs(int retry, WebhookClient.Attempt attempt) {
        long cap = config.retryBackoffMaxMs();
        if (attempt.retryAfterMs().isPresent()) {
            return Math.min(attempt.retryAfterMs().getAsLong(), cap);
        }
        long backoff = config.retryBackoffMs() << Math.min(retry, 30);
        return backoff < 0 ? cap : Math.min(backoff, cap);
    }

    private void sleep(long ms, String id) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException(logPrefix + " interrupted while waiting to retry " + id);
        }
    }

    /** A partition that moves to another task may come back rewound; forget what this task did with it. */
    @Override
    public void close(Collection<TopicPartition> partitions) {
        partitions.forEach(done::remove);
    }

    /** Records dead-lettered since start, for tests. */
    long skippedRecords() {
        return poison.count();
    }

    /** Alerts delivered (2xx) since start, for tests. */
    long deliveredRecords() {
        return delivered;
    }

    /** POSTs sent since start, for tests. */
    long attempts() {
        return attempts;
    }

    @Override
    public void stop() {
        if (log.isInfoEnabled() && poison != null) {
            log.info("{} stopped: {} delivered, {} dead-lettered, {} requests", logPrefix, delivered, poison.count(),
                    attempts);
        }
    }
}
