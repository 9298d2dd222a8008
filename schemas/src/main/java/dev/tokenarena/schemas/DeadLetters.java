package dev.tokenarena.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How a record is diverted to {@link Topics#DLQ}: original key and value bytes untouched, the
 * reason and the source coordinates in headers, so nothing is lost and a fix can replay it.
 */
public final class DeadLetters {

    public static final String REASON = "arena.dlq.reason";
    public static final String SOURCE_TOPIC = "arena.dlq.source.topic";
    public static final String SOURCE_PARTITION = "arena.dlq.source.partition";
    public static final String SOURCE_OFFSET = "arena.dlq.source.offset";
    public static final String COMPONENT = "arena.dlq.component";

    /** Reasons are capped so a hostile payload cannot blow up a header. */
    public static final int MAX_REASON_CHARS = 1024;

    private DeadLetters() {
    }

    /** Builds the dead-letter record for one bad input record. */
    public static ProducerRecord<byte[], byte[]> record(String component, String sourceTopic, int partition,
                                                        long offset, byte[] key, byte[] value, String reason) {
        Headers headers = new RecordHeaders();
        headers.add(REASON, utf8(truncate(reason)));
        headers.add(SOURCE_TOPIC, utf8(sourceTopic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(offset)));
        headers.add(COMPONENT, utf8(component));
        return new ProducerRecord<>(Topics.DLQ.name(), null, key, value, headers);
    }

    /** The text of a header, or null when absent. */
    public static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String truncate(String reason) {
        String r = reason == null ? "unknown" : reason;
        return r.length() <= MAX_REASON_CHARS ? r : r.substring(0, MAX_REASON_CHARS) + "...";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
