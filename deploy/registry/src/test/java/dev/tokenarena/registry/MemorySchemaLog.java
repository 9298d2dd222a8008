package dev.tokenarena.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A log kept in a list, applied synchronously: the registry's rules without a broker. */
final class MemorySchemaLog implements SchemaLog {

    record Entry(byte[] key, byte[] value) {
    }

    final List<Entry> entries;
    private final SchemaState state;

    MemorySchemaLog(SchemaState state) {
        this(state, new CopyOnWriteArrayList<>());
    }

    /** A log over existing entries, replayed into the state as a restarted server would. */
    MemorySchemaLog(SchemaState state, List<Entry> entries) {
        this.state = state;
        this.entries = entries;
        entries.forEach(e -> state.apply(e.key(), e.value()));
    }

    @Override
    public void append(byte[] key, byte[] value) {
        entries.add(new Entry(key, value));
        state.apply(key, value);
    }

    @Override
    public void close() {
    }
}
