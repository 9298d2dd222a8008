package dev.tokenarena.probe;

import dev.tokenarena.schemas.time.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * At most one log line per key per interval, with the number of suppressed repeats, so an
 * endpoint failing 100 requests a round writes one line, not a hundred. Messages are capped.
 */
final class ThrottledLog {

    private static final int MAX_MESSAGE_CHARS = 1024;

    private final Logger log;
    private final Ticker ticker;
    private final long intervalNanos;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long lastNanos;
        final AtomicLong suppressed = new AtomicLong();

        Window(long lastNanos) {
            this.lastNanos = lastNanos;
        }
    }

    ThrottledLog(Logger log, Ticker ticker, long intervalNanos) {
        this.log = log;
        this.ticker = ticker;
        this.intervalNanos = intervalNanos;
    }

    void warn(String key, String message) {
        long now = ticker.nanos();
        boolean[] first = {false};
        Window w = windows.computeIfAbsent(key, k -> {
            first[0] = true;
            return new Window(now);
        });
        long suppressed;
        synchronized (w) {
            if (!first[0] && now - w.lastNanos < intervalNanos) {
                w.suppressed.incrementAndGet();
                return;
            }
            w.lastNanos = now;
            suppressed = w.suppressed.getAndSet(0);
        }
        String text = message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
        if (suppressed > 0) {
            log.warn("{} ({} similar messages suppressed)", text, suppressed);
        } else {
            log.warn("{}", text);
        }
    }
}
