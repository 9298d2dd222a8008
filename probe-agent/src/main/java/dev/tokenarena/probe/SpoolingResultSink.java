package dev.tokenarena.probe;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable, exactly-once path to {@code arena.probe.results.v1}. Every result is
 * first appended to a local {@link Spool} (forced to disk), then one drainer thread sends the
 * spool in order with an idempotent, {@code acks=all} producer and commits the spool's read
 * offset only after Kafka acknowledged the records below it. So while Kafka is unreachable the
 * results wait on disk, in order, and survive a restart; nothing is ever only in memory.
 *
 * <p>Exactly once: a record below the committed offset is never read again. A record above it
 * may already be in Kafka in three cases: Kafka acked it but an earlier record of the batch
 * failed (the commit stops at the gap), a send that failed by timeout did reach the broker, or
 * the process stopped between the ack and the commit. Before resending in any of those cases
 * (after any failed batch, and on start when records are pending) the drainer reads the last
 * {@code spool.dedupe.scan.records} records of each partition (only their {@code probe_id}
 * header) and skips the ids it finds. The producer is closed before that scan so none of its
 * sends are still in flight.
 */
public final class SpoolingResultSink implements ResultSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolingResultSink.class);
    private static final int BATCH_RECORDS = 256;
    private static final long MAX_BACKOFF_FACTOR = 30;

    static {
        // Avro refuses to build classes it does not trust; AvroWireSerde's initializer trusts ours.
        AvroWireSerde.forType(ProbeResult.class, null);
    }

    private final Spool spool;
    private final Supplier<Producer<String, ProbeResult>> producers;
    private final TopicTail tail;
    private final long retryBackoffMs;
    private final long closeDrainMs;
    private final String topic = Topics.PROBE_RESULTS.name();
    private final ThrottledLog warnings = new ThrottledLog(LOG, Ticker.SYSTEM, TimeUnit.MINUTES.toNanos(1));
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread drainer;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicatesSkipped = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private volatile Producer<String, ProbeResult> producer;
    private volatile boolean stopping;

    /**
     * @param producers makes a producer (a new one after each failed batch); it must be idempotent with acks=all
     * @param tail      where the drainer looks up probe ids that may already be in Kafka
     * @param closeDrainMs how long {@link #close()} waits for the spool to empty before leaving the rest on disk
     */
    SpoolingResultSink(Spool spool, Supplier<Producer<String, ProbeResult>> producers, TopicTail tail,
                       long retryBackoffMs, long closeDrainMs) {
        this.spool = spool;
        this.producers = producers;
        this.tail = tail;
        this.retryBackoffMs = retryBackoffMs;
        this.closeDrainMs = closeDrainMs;
        this.drainer = new Thread(this::drainLoop, "probe-spool-drainer");
        drainer.setDaemon(true);
        if (spool.pendingRecords() > 0) {
            LOG.info("spool {}: {} results ({} bytes) from an earlier run wait for Kafka", spool.dir(),
                    spool.pendingRecords(), spool.pendingBytes());
        }
        drainer.start();
    }

    /** A sink from the agent's config: spool.* settings, its bootstrap servers, client id = agent id. */
    public static SpoolingResultSink create(ProbeAgentConfig config, SchemaRegistryClient registry) {
        return create(config, registry, Map.of(ProducerConfig.CLIENT_ID_CONFIG, "probe-agent-" + config.agentId()));
    }

    /**
     * @param producerOverrides extra producer settings; the settings that make delivery safe are forced after them
     */
    public static SpoolingResultSink create(ProbeAgentConfig config, SchemaRegistryClient registry,
                                            Map<String, Object> producerOverrides) {
        Serializer<ProbeResult> values = AvroWireSerde.forTopic(Topics.PROBE_RESULTS, registry).serializer();
        // The producer closes its serializers; the serde (with its cached schema id) outlives producers.
        Serializer<ProbeResult> keepOpen = values::serialize;
        long sendTimeoutMs = config.spoolSendTimeoutMs();
        Supplier<Producer<String, ProbeResult>> producers = () -> {
            Map<String, Object> props = new HashMap<>(producerOverrides);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            // A send that cannot complete within spool.send.timeout.ms fails; the batch stays in
            // the spool and is retried, so a down broker never blocks the drainer for long.
            int requestTimeout = (int) Math.max(500, sendTimeoutMs / 2);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(sendTimeoutMs, requestTimeout + 100L));
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeoutMs);
            props.putIfAbsent(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
            return new KafkaProducer<>(props, new StringSerializer(), keepOpen);
        };
        TopicTail tail = TopicTail.kafka(config.bootstrapServers(), Topics.PROBE_RESULTS.name(),
                config.spoolDedupeScanRecords(), Duration.ofMillis(sendTimeoutMs));
        return new SpoolingResultSink(Spool.open(config.spoolDir(), config.spoolMaxBytes()), producers, tail,
                config.spoolRetryBackoffMs(), sendTimeoutMs);
    }

    /**
     * Appends the result to the spool (on disk when this returns) and wakes the drainer.
     *
     * @throws Spool.SpoolFullException when spool.max.bytes is reached; the message says what to do
     */
    @Override
    public void accept(ProbeResult result) {
        byte[] bytes;
        try {
            ByteBuffer buf = result.toByteBuffer();
            bytes = new byte[buf.remaining()];
            buf.get(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode probe result " + result.getProbeId() + ": " + e.getMessage(), e);
        }
        try {
            spool.append(bytes);
        } catch (Spool.SpoolFullException e) {
            rejected.incrementAndGet();
            throw e;
        }
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void drainLoop() {
        long backoff = retryBackoffMs;
        // Records left by an earlier run may have been acked just before it stopped.
        boolean reconcile = spool.pendingRecords() > 0;
        Set<String> ackedAboveGap = new HashSet<>();
        while (!stopping) {
            List<Spool.Entry> batch = spool.read(spool.committed(), BATCH_RECORDS);
            if (batch.isEmpty()) {
                awaitChange(1000);
                continue;
            }
            List<ProbeResult> results = new ArrayList<>(batch.size());
            for (Spool.Entry e : batch) {
                results.add(decode(e));
            }
            Set<String> skip = new HashSet<>(ackedAboveGap);
            if (reconcile) {
                try {
                    List<String> ids = new ArrayList<>();
                    results.forEach(r -> {
                        if (r != null) {
                            ids.add(r.getProbeId());
                        }
                    });
                    skip.addAll(tail.present(ids));
                    reconcile = false;
                } catch (RuntimeException e) {
                    failedAttempts.incrementAndGet();
                    warnings.warn("scan", "cannot check " + topic + " for results already delivered ("
                            + spool.pendingRecords() + " results wait in the spool): " + ExchangeHandler.rootMessage(e));
                    backoff = backoff(backoff);
                    continue;
                }
            }
            boolean ok = sendBatch(batch, results, skip, ackedAboveGap);
            if (ok) {
                backoff = retryBackoffMs;
            } else {
                failedAttempts.incrementAndGet();
                closeProducer(Duration.ofMillis(retryBackoffMs));
                reconcile = true;
                backoff = backoff(backoff);
            }
        }
    }

    /** Sends what is not known to be delivered, commits the acknowledged prefix; false when anything failed. */
    private boolean sendBatch(List<Spool.Entry> batch, List<ProbeResult> results, Set<String> skip, Set<String> ackedAboveGap) {
        Producer<String, ProbeResult> p = producer;
        if (p == null) {
            try {
                p = producers.get();
            } catch (RuntimeException e) {
                warnings.warn("producer", "cannot create a Kafka producer: " + ExchangeHandler.rootMessage(e));
                return false;
            }
            producer = p;
        }
        List<Future<RecordMetadata>> futures = new ArrayList<>(batch.size());
        Throwable failure = null;
        for (int i = 0; i < batch.size(); i++) {
            ProbeResult r = results.get(i);
            if (r == null || skip.contains(r.getProbeId())) {
                futures.add(null);
                continue;
            }
            ProducerRecord<String, ProbeResult> rec = new ProducerRecord<>(topic, r.getEndpointId(), r);
            rec.headers().add(TopicTail.PROBE_ID_HEADER, r.getProbeId().getBytes(StandardCharsets.UTF_8));
            try {
                futures.add(p.send(rec));
            } catch (RuntimeException e) {
                // Metadata timeout, registry down, closed producer: later records wait their turn.
                failure = e;
                break;
            }
        }
        try {
            p.flush();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        long commitTo = spool.committed();
        int commitRecords = 0;
        boolean prefix = true;
        for (int i = 0; i < futures.size(); i++) {
            ProbeResult r = results.get(i);
            Future<RecordMetadata> f = futures.get(i);
            boolean done;
            if (r == null) {
                done = true;
            } else if (f == null) {
                done = true;
                duplicatesSkipped.incrementAndGet();
            } else {
                try {
                    f.get();
                    done = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RecordTooLargeException) {
                        // Retrying can never succeed: drop it loudly rather than block the spool.
                        dropped.incrementAndGet();
                        LOG.error("probe result {} at spool offset {} dropped: {}", r.getProbeId(),
                                batch.get(i).offset(), e.getCause().getMessage());
                        done = true;
                    } else {
                        failure = failure == null ? e.getCause() : failure;
                        done = false;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (done && f != null) {
                delivered.incrementAndGet();
            }
            if (done && prefix) {
                commitTo = batch.get(i).nextOffset();
                commitRecords++;
                if (r != null) {
                    ackedAboveGap.remove(r.getProbeId());
                }
            } else if (done) {
                // In Kafka (or never sendable) but above a gap: remembered so the retry skips it.
                if (r != null) {
                    ackedAboveGap.add(r.getProbeId());
                }
            } else {
                prefix = false;
            }
        }
        if (commitRecords > 0) {
            spool.commit(commitTo, commitRecords);
            signal();
        }
        if (futures.size() < batch.size() || failure != null) {
            warnings.warn("send", "cannot publish probe results to " + topic + "; " + spool.pendingRecords()
                    + " results (" + spool.pendingBytes() + " bytes) wait in the spool " + spool.dir() + ": "
                    + ExchangeHandler.rootMessage(failure == null ? new IllegalStateException("send failed") : failure));
            return false;
        }
        return true;
    }

    private ProbeResult decode(Spool.Entry e) {
        try {
            return ProbeResult.fromByteBuffer(ByteBuffer.wrap(e.payload()));
        } catch (IOException | org.apache.avro.AvroRuntimeException ex) {
            // Written by an incompatible version of the agent: it can never be sent; do not block the rest.
            dropped.incrementAndGet();
            LOG.error("spool {}: record at offset {} cannot be decoded and is dropped: {}", spool.dir(), e.offset(), ex.toString());
            return null;
        }
    }

    private long backoff(long current) {
        awaitStop(current);
        return Math.min(current * 2, retryBackoffMs * MAX_BACKOFF_FACTOR);
    }

    private void awaitChange(long millis) {
        lock.lock();
        try {
            if (!stopping) {
                changed.await(millis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits out a backoff; only stopping cuts it short (new results must not hammer a down broker). */
    private void awaitStop(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    private void closeProducer(Duration timeout) {
        Producer<String, ProbeResult> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(timeout);
            } catch (RuntimeException e) {
                LOG.debug("closing a failed producer: {}", e.toString());
            }
        }
    }

    /**
     * Waits until the spool is empty or the timeout passes.
     *
     * @return whether everything appended so far has been acknowledged by Kafka
     */
    public boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long left;
            while (spool.pendingRecords() > 0 && (left = deadline - System.nanoTime()) > 0) {
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return spool.pendingRecords() == 0;
    }

    /** Results in the spool not yet acknowledged by Kafka. */
    public long pendingRecords() {
        return spool.pendingRecords();
    }

    /** Bytes in the spool not yet acknowledged by Kafka. */
    public long pendingBytes() {
        return spool.pendingBytes();
    }

    /** Results Kafka acknowledged since start. */
    public long delivered() {
        return delivered.get();
    }

    /** Pending results found already in Kafka and not sent again. */
    public long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    /** Results refused because the spool was full. */
    public long rejected() {
        return rejected.get();
    }

    /** Results dropped because they could never be sent (undecodable or too large for Kafka). */
    public long dropped() {
        return dropped.get();
    }

    /** Sends and dedupe scans that failed and were retried. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /**
     * Gives the drainer a short while to empty the spool, then stops it and closes the spool;
     * whatever is still pending stays on disk for the next start.
     */
    @Override
    public void close() {
        awaitDrained(Duration.ofMillis(closeDrainMs));
        stopping = true;
        signal();
        try {
            drainer.join(closeDrainMs + 1000);
            if (drainer.isAlive()) {
                // Stuck in a flush against a dead broker: abort the producer's pending sends.
                closeProducer(Duration.ZERO);
                drainer.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProducer(Duration.ofSeconds(5));
        spool.close();
        if (spool.pendingRecords() > 0) {
            LOG.warn("spool {}: {} results ({} bytes) left for the next start", spool.dir(), spool.pendingRecords(),
                    spool.pendingBytes());
        }
    }
}
