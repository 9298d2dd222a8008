package dev.tokenarena.sink;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.registry.SchemaRegistryException;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The record-to-value step every sink task shares: the topic must be one the task maps, the
 * value raw bytes, and those bytes Confluent wire format the registry can decode. A record that
 * fails any of that goes to {@link PoisonRecords} with the reason; a registry that cannot be
 * reached is retriable (Connect hands the batch again after its backoff), so nothing is lost.
 */
final class TopicDecoder {

    private final Map<String, AvroWireSerde<? extends SpecificRecord>> serdes = new LinkedHashMap<>();
    private final PoisonRecords poison;
    private final String mappingKey;
    private final String logPrefix;

    /** Decodes the catalogue topics {@code topics}; {@code mappingKey} is the setting that maps them. */
    TopicDecoder(Collection<String> topics, SchemaRegistryClient registry, PoisonRecords poison, String mappingKey,
                 String logPrefix) {
        for (String topic : topics) {
            serdes.put(topic, serde(Topics.byName(topic).orElseThrow(), registry));
        }
        this.poison = poison;
        this.mappingKey = mappingKey;
        this.logPrefix = logPrefix;
    }

    // The config check made sure every mapped topic carries an Avro SpecificRecord type.
    @SuppressWarnings("unchecked")
    private static AvroWireSerde<? extends SpecificRecord> serde(TopicSpec<?> spec, SchemaRegistryClient registry) {
        return AvroWireSerde.forTopic((TopicSpec<SpecificRecord>) spec, registry);
    }

    /**
     * The record's value, or null when there is nothing to use: a tombstone, or a record that
     * was reported as poison.
     *
     * @throws RetriableException when the registry cannot be reached
     */
    SpecificRecord decode(SinkRecord record) {
        if (record.value() == null) {
            return null;
        }
        AvroWireSerde<? extends SpecificRecord> serde = serdes.get(record.topic());
        if (serde == null) {
            poison.report(record, "topic " + record.topic() + " is not mapped in " + mappingKey, null);
            return null;
        }
        if (!(record.value() instanceof byte[] bytes)) {
            poison.report(record, "value is a " + record.value().getClass().getName() + ", not bytes: set "
                    + "value.converter=" + ConnectorRules.BYTE_ARRAY_CONVERTER, null);
            return null;
        }
        try {
            return serde.decode(bytes);
        } catch (SchemaRegistryException e) {
            if (RegistryErrors.isPermanent(e)) {
                poison.report(record, "cannot decode: " + e.getMessage(), e);
                return null;
            }
            throw new RetriableException(logPrefix + " schema registry unavailable: " + e.getMessage(), e);
        } catch (SerializationException e) {
            poison.report(record, e.getMessage(), e);
            return null;
        }
    }
}
