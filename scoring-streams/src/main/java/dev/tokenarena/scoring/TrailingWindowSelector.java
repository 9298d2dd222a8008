package dev.tokenarena.scoring;

import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns the updates of hopping windows into one stream of "the last hour" (or day) per key.
 *
 * <p>Every input event updates size/advance overlapping windows; only the window that ends just
 * after it (windowEnd - advance <= ts < windowEnd) covers the trailing period, so the others are
 * dropped. A late event can still update an older window; the store remembers the latest window
 * end emitted per key so such an update never overwrites a newer figure downstream.
 *
 * <pre>
 * time (advance 5m, size 1h) | update of window  | emitted
 * 10:07 event                | [09:10, 10:10)    | yes (10:05 <= 10:07 < 10:10)
 * 10:07 event                | [09:05, 10:05)... | no (not trailing)
 * 10:02 late event           | [09:05, 10:05)    | no (10:05 < last emitted end 10:10)
 * </pre>
 */
final class TrailingWindowSelector<A, S> implements Processor<Windowed<String>, A, String, S> {

    /** Builds the downstream value from a window's bounds and aggregate. */
    @FunctionalInterface
    interface StatsFunction<A, S> {
        S apply(long windowStartMs, long windowEndMs, A aggregate);
    }

    private final String storeName;
    private final long advanceMs;
    private final StatsFunction<A, S> stats;
    private ProcessorContext<String, S> context;
    private KeyValueStore<String, Long> lastEnd;

    TrailingWindowSelector(String storeName, long advanceMs, StatsFunction<A, S> stats) {
        this.storeName = storeName;
        this.advanceMs = advanceMs;
        this.stats = stats;
    }

    @Override
    public void init(ProcessorContext<String, S> context) {
        this.context = context;
        this.lastEnd = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<Windowed<String>, A> record) {
        if (record.value() == null) {
            return;
        }
        long end = record.key().window().end();
        long ts = record.timestamp();
        if (ts < end - advanceMs || ts >= end) {
            return;
        }
        String key = record.key().key();
        Long previous = lastEnd.get(key);
        if (previous != null && previous > end) {
            return;
        }
        lastEnd.put(key, end);
        context.forward(new Record<>(key, stats.apply(record.key().window().start(), end, record.value()), ts,
                record.headers()));
    }
}
