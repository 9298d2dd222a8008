package dev.tokenarena.energy;

import dev.tokenarena.schemas.v1.Endpoint;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to use generated classes it does not trust (STACK.md pitfall 6), and
 * AvroWireSerde does not trust ours itself yet, so the Kafka sink adds the generated v1 package
 * to the global validator once, keeping whatever was trusted before. Remove when schemas does it.
 */
final class AvroTrust {

    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final String PACKAGE = Endpoint.class.getPackageName();

    private AvroTrust() {
    }

    static void trustGeneratedPackage() {
        if (DONE.compareAndSet(false, true)) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                    type -> PACKAGE.equals(type.getPackageName())));
        }
    }
}
