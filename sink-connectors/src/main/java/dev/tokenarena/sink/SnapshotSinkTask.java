package dev.tokenarena.sink;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.registry.SchemaRegistryException;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.serde.WireFormat;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each leaderboard snapshot from {@code arena.leaderboard.v1} as JSON and CSV files. Bad
 * records are skipped through {@link PoisonRecords}; an unreachable registry or a failed write
 * is retried by Connect (the batch is redelivered) within {@code snapshot.max.retries}.
 */
public final class SnapshotSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSinkTask.class);

    private SnapshotSinkConfig config;
    private AvroWireSerde<LeaderboardSnapshot> serde;
    private SnapshotFiles files;
    private PoisonRecords poison;
    private String logPrefix;
    private int consecutiveFailures;

    @Override
    public String version() {
        return Versions.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new SnapshotSinkConfig(props);
        logPrefix = "SnapshotSinkTask[" + props.getOrDefault("name", "?") + "]";
        SchemaRegistryClient registry = RegistrySettings.client(config);
        serde = AvroWireSerde.forTopic(Topics.LEADERBOARD, registry);
        files = new SnapshotFiles(config.snapshotDir());
        poison = new PoisonRecords(logPrefix, context);
        log.info("{} writing snapshots to {} (windows: {})", logPrefix, config.snapshotDir().toAbsolutePath(),
                config.windows().isEmpty() ? "all" : config.windows());
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            handle(record);
        }
        consecutiveFailures = 0;
    }

    private void handle(SinkRecord record) {
        if (record.value() == null) {
            // A tombstone on the compacted topic: the preset was retired; its files stay.
            log.debug("{} tombstone at {}/{}@{} ignored", logPrefix, record.topic(), record.kafkaPartition(),
                    record.kafkaOffset());
            return;
        }
        if (!(record.value() instanceof byte[] bytes)) {
            poison.report(record, "value is a " + record.value().getClass().getName() + ", not bytes: set "
                    + "value.converter=" + ConnectorRules.BYTE_ARRAY_CONVERTER, null);
            return;
        }
        LeaderboardSnapshot snapshot;
        int schemaId;
        try {
            schemaId = WireFormat.schemaId(bytes);
            snapshot = serde.decode(bytes);
        } catch (SchemaRegistryException e) {
            if (RegistryErrors.isPermanent(e)) {
                poison.report(record, "cannot decode LeaderboardSnapshot: " + e.getMessage(), e);
                return;
            }
            throw transientFailure("schema registry unavailable: " + e.getMessage(), e);
        } catch (SerializationException e) {
            poison.report(record, e.getMessage(), e);
            return;
        }
        String unusable = SnapshotFiles.unusable(snapshot);
        if (unusable != null) {
            poison.report(record, unusable, null);
            return;
        }
        if (!config.windows().isEmpty() && !config.windows().contains(snapshot.getWindow())) {
            return;
        }
        Provenance provenance = new Provenance(schemaId, config.registryUrlRedacted(), config.license(),
                record.originalTopic(), record.originalKafkaPartition(), record.originalKafkaOffset());
        try {
            boolean latest = files.write(snapshot, provenance);
            log.debug("{} wrote {} {} generated at {}{}", logPrefix, snapshot.getPreset(), snapshot.getWindow(),
                    SnapshotDocument.iso(snapshot.getGeneratedAtMs()), latest ? " (latest)" : " (older, versioned only)");
        } catch (IOException e) {
            throw transientFailure("cannot write snapshot files under " + config.snapshotDir() + ": " + e, e);
        }
    }

    // Connect redelivers the whole batch after the backoff; rewriting the same files is harmless.
    private RuntimeException transientFailure(String message, Exception cause) {
        consecutiveFailures++;
        if (consecutiveFailures > config.maxRetries()) {
            return new ConnectException(logPrefix + " " + message + " (giving up after " + config.maxRetries()
                    + " retries; raise " + SnapshotSinkConfig.MAX_RETRIES + " or fix the cause and restart the task)", cause);
        }
        log.warn("{} {} (retry {} of {} in {} ms)", logPrefix, message, consecutiveFailures, config.maxRetries(),
                config.retryBackoffMs());
        context.timeout(config.retryBackoffMs());
        return new RetriableException(message, cause);
    }

    /** Records skipped since start, for tests. */
    long skippedRecords() {
        return poison.count();
    }

    @Override
    public void stop() {
        // Every file is complete when written: nothing buffered to flush.
    }
}
