package dev.tokenarena.sink;

import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroJson;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each record of the mapped topics to its file as one line of plain JSON
 * ({@link AvroJson}: field names as in the schema, unions unwrapped). Lines are buffered and
 * written in {@link #flush}, which Connect calls before it commits offsets, so the files hold at
 * least every committed record (at-least-once: a crash between a write and its commit repeats
 * lines on restart).
 */
public final class JsonLinesSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(JsonLinesSinkTask.class);

    private JsonLinesSinkConfig config;
    private TopicDecoder decoder;
    private final Map<String, JsonLinesFile> files = new LinkedHashMap<>();
    private PoisonRecords poison;
    private String logPrefix;

    @Override
    public String version() {
        return Versions.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new JsonLinesSinkConfig(props);
        logPrefix = "JsonLinesSinkTask[" + props.getOrDefault("name", "?") + "]";
        SchemaRegistryClient registry = RegistrySettings.client(config);
        config.filesByTopic().forEach((topic, file) -> files.put(topic, new JsonLinesFile(config.dir().resolve(file))));
        poison = new PoisonRecords(logPrefix, context);
        decoder = new TopicDecoder(config.filesByTopic().keySet(), registry, poison, JsonLinesSinkConfig.JSONL_FILES, logPrefix);
        log.info("{} appending {} under {}", logPrefix, config.filesByTopic(), config.dir().toAbsolutePath());
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            handle(record);
        }
    }

    private void handle(SinkRecord record) {
        SpecificRecord value = decoder.decode(record);
        if (value == null) {
            return;
        }
        JsonLinesFile file = files.get(record.topic());
        file.append(AvroJson.toJson(value));
        if (file.pendingChars() > config.bufferMaxChars()) {
            writeOrRetry(file);
        }
    }

    private void writeOrRetry(JsonLinesFile file) {
        try {
            file.flush();
        } catch (IOException e) {
            throw new RetriableException(logPrefix + " cannot append to " + file.path() + ": " + e, e);
        }
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        for (JsonLinesFile file : files.values()) {
            try {
                file.flush();
            } catch (IOException e) {
                // Connect skips this commit and tries again at the next interval.
                throw new ConnectException(logPrefix + " cannot append to " + file.path() + ": " + e, e);
            }
        }
    }

    /** Records skipped since start, for tests. */
    long skippedRecords() {
        return poison.count();
    }

    @Override
    public void stop() {
        for (JsonLinesFile file : files.values()) {
            try {
                file.close();
            } catch (IOException e) {
                log.error("{} cannot close {}: {}", logPrefix, file.path(), e.toString());
            }
        }
        files.clear();
    }
}
