package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.ProbeResult;
import dev.tokenarena.scoring.avro.ProbeStats;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate generated classes it does not trust (STACK.md pitfall 6) and
 * AvroWireSerde does not trust ours yet, so the scoring app adds the two generated packages it
 * reads to the global validator once, keeping whatever was trusted before.
 */
final class AvroTrust {

    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final Set<String> PACKAGES = Set.of(ProbeResult.class.getPackageName(),
            ProbeStats.class.getPackageName());

    private AvroTrust() {
    }

    static void trustGeneratedPackages() {
        if (DONE.compareAndSet(false, true)) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                    type -> PACKAGES.contains(type.getPackageName())));
        }
    }
}
