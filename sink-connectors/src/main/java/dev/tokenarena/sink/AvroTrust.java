package dev.tokenarena.sink;

import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate generated classes it does not trust (STACK.md pitfall 6), and
 * a Connect worker sets no {@code org.apache.avro.SERIALIZABLE_PACKAGES}. The tasks add the
 * generated {@code v1} package to the global validator once, keeping whatever was trusted
 * before. (AvroWireSerde does not do this itself yet.)
 */
final class AvroTrust {

    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final String PACKAGE = LeaderboardSnapshot.class.getPackageName();

    private AvroTrust() {
    }

    static void trustGeneratedPackage() {
        if (DONE.compareAndSet(false, true)) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                    type -> PACKAGE.equals(type.getPackageName())));
        }
    }
}
