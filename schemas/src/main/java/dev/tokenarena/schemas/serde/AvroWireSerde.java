package dev.tokenarena.schemas.serde;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for generated Avro classes in the Confluent wire format. The serializer registers the
 * class schema under the topic's value subject once (TopicNameStrategy) and caches the id; the
 * deserializer fetches a writer schema by id once and resolves it to the class schema, so a
 * record written with an older or newer compatible schema still decodes.
 */
public final class AvroWireSerde<T extends SpecificRecord> implements Serde<T> {

    /** Generated classes of every TokenArena module live under this package prefix. */
    static final String TRUSTED_PREFIX = "dev.tokenarena.";

    static {
        // Avro 1.12 refuses to instantiate generated classes it was not told to trust; trust ours
        // once here, keeping whatever the host (e.g. a Connect worker) already trusts.
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                type -> type.getName().startsWith(TRUSTED_PREFIX)));
    }

    /**
     * Reads and writes with the generated classes' own code (Avro's "custom coders": per-class
     * encode and decode methods, the writer schema resolved by the decoder) instead of walking the
     * schema generically, which was most of the cost of encoding a composite. Same bytes either
     * way. Our schemas have no logical types, so no conversions are lost by not using each class's
     * own model.
     */
    private static final SpecificData DATA = customCoders();

    private static SpecificData customCoders() {
        SpecificData data = new SpecificData(AvroWireSerde.class.getClassLoader());
        data.setCustomCoders(true);
        return data;
    }

    private final Class<T> type;
    private final Schema readerSchema;
    private final SchemaRegistryClient registry;
    private final String subjectOverride;
    /** Schema id by topic name (the subject derives from it, or is the override). */
    private final ConcurrentMap<String, Integer> idByTopic = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, DatumReader<T>> readersById = new ConcurrentHashMap<>();
    private final SpecificDatumWriter<T> writer;

    private AvroWireSerde(Class<T> type, SchemaRegistryClient registry, String subjectOverride) {
        this.type = type;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.registry = registry;
        this.subjectOverride = subjectOverride;
        this.writer = new SpecificDatumWriter<>(readerSchema, DATA);
    }

    /** A serde for a catalogue topic's value type; the subject is {@code <topic>-value}. */
    public static <T extends SpecificRecord> AvroWireSerde<T> forTopic(TopicSpec<T> topic, SchemaRegistryClient registry) {
        if (topic.valueType() == null) {
            throw new IllegalArgumentException("topic " + topic.name() + " carries raw bytes, not Avro");
        }
        return new AvroWireSerde<>(topic.valueType(), registry, null);
    }

    /**
     * A serde for a type on any topic (internal Streams topics, state stores); the subject is
     * {@code <topic>-value} of whatever topic Kafka passes in.
     */
    public static <T extends SpecificRecord> AvroWireSerde<T> forType(Class<T> type, SchemaRegistryClient registry) {
        return new AvroWireSerde<>(type, registry, null);
    }

    /** A serde that always uses one subject, whatever the topic (e.g. for files and tools). */
    public static <T extends SpecificRecord> AvroWireSerde<T> forSubject(Class<T> type, String subject,
                                                                         SchemaRegistryClient registry) {
        return new AvroWireSerde<>(type, registry, subject);
    }

    public Class<T> type() {
        return type;
    }

    /** Encodes one value for a topic. */
    public byte[] encode(String topic, T value) {
        if (value == null) {
            return null;
        }
        // keyed by the topic string itself: no subject string is built (and hashed) per record
        int id = idByTopic.computeIfAbsent(String.valueOf(topic),
                t -> registry.register(subjectOverride != null ? subjectOverride : t + "-value", readerSchema));
        EncodeBuffer out = ENCODE_BUFFERS.get();
        try {
            out.start(id);
            out.encoder = EncoderFactory.get().directBinaryEncoder(out, out.encoder);
            writer.write(value, out.encoder);
            out.encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new WireFormat.InvalidPayloadException("cannot encode " + type.getSimpleName() + " for topic "
                    + topic + ": " + e.getMessage(), e);
        }
    }

    /** Decodes one framed value; the error names the type and what was wrong. */
    public T decode(byte[] payload) {
        if (payload == null) {
            return null;
        }
        int id = WireFormat.schemaId(payload);
        DatumReader<T> reader = readersById.computeIfAbsent(id, i -> {
            Schema writerSchema = registry.schemaById(i);
            return new SpecificDatumReader<>(writerSchema, readerSchema, DATA);
        });
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_BYTES,
                    payload.length - WireFormat.HEADER_BYTES, null);
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new WireFormat.InvalidPayloadException("trailing bytes after " + type.getSimpleName()
                        + " with schema id " + id);
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof WireFormat.InvalidPayloadException ipe) {
                throw ipe;
            }
            throw new WireFormat.InvalidPayloadException("cannot decode " + type.getSimpleName()
                    + " with schema id " + id + ": " + e, e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> encode(topic, data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> decode(data);
    }

    private static final ThreadLocal<EncodeBuffer> ENCODE_BUFFERS = ThreadLocal.withInitial(EncodeBuffer::new);

    /**
     * Where one thread encodes: reused, so a record costs one array (the returned copy), and not
     * synchronized, unlike ByteArrayOutputStream, whose locked write per string or bytes field was
     * a visible share of encoding in the scoring benchmark's profile.
     */
    private static final class EncodeBuffer extends OutputStream {
        /** A buffer grown past this by one large record is dropped after it. */
        private static final int KEEP_BYTES = 1 << 20;
        private byte[] buf = new byte[4096];
        private int size;
        BinaryEncoder encoder;

        void start(int schemaId) {
            if (buf.length > KEEP_BYTES) {
                buf = new byte[4096];
            }
            size = WireFormat.HEADER_BYTES;
            WireFormat.writeHeader(buf, schemaId);
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
