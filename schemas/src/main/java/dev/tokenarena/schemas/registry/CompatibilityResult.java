package dev.tokenarena.schemas.registry;

import java.util.List;

/** Outcome of a compatibility check, with the reasons when it fails. */
public record CompatibilityResult(boolean compatible, List<String> messages) {

    public static CompatibilityResult ok() {
        return new CompatibilityResult(true, List.of());
    }

    public static CompatibilityResult incompatible(List<String> messages) {
        return new CompatibilityResult(false, List.copyOf(messages));
    }
}
