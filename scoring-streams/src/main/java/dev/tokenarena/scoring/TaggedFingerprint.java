package dev.tokenarena.scoring;

import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.FingerprintSample;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A fingerprint sample tagged with whether its endpoint is its model's reference (from the
 * ENDPOINTS table, joined before the re-key by model and prompt, where that table is no longer
 * co-partitioned).
 */
record TaggedFingerprint(boolean reference, FingerprintSample sample) {

    /**
     * Wire form on the repartition topic: one byte (1 = reference, 0 = not) followed by the
     * sample in the Confluent wire format, so the sample keeps its registered schema.
     */
    static Serde<TaggedFingerprint> serde(SchemaRegistryClient registry) {
        AvroWireSerde<FingerprintSample> inner = AvroWireSerde.forType(FingerprintSample.class, registry);
        Serializer<TaggedFingerprint> ser = (topic, t) -> {
            if (t == null) {
                return null;
            }
            byte[] body = inner.encode(topic, t.sample());
            byte[] out = new byte[body.length + 1];
            out[0] = (byte) (t.reference() ? 1 : 0);
            System.arraycopy(body, 0, out, 1, body.length);
            return out;
        };
        Deserializer<TaggedFingerprint> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < 2 || bytes[0] > 1 || bytes[0] < 0) {
                throw new SerializationException("not a tagged fingerprint on " + topic + " (" + bytes.length + " bytes)");
            }
            return new TaggedFingerprint(bytes[0] == 1, inner.decode(Arrays.copyOfRange(bytes, 1, bytes.length)));
        };
        return new Serde<>() {
            @Override
            public Serializer<TaggedFingerprint> serializer() {
                return ser;
            }

            @Override
            public Deserializer<TaggedFingerprint> deserializer() {
                return de;
            }
        };
    }
}
