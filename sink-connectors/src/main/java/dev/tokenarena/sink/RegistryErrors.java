package dev.tokenarena.sink;

import dev.tokenarena.schemas.registry.SchemaRegistryException;

/** Which registry failures mean "this record can never decode" rather than "try again later". */
final class RegistryErrors {

    private RegistryErrors() {
    }

    /** A 4xx answer (schema id unknown, bad request) will not change on retry; no answer or a 5xx may. */
    static boolean isPermanent(SchemaRegistryException e) {
        int status = e.status();
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }
}
