package dev.tokenarena.probe;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.SchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.AgentHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership from heartbeats on {@code arena.agents.heartbeats.v1}: this agent publishes one
 * every {@code heartbeat.interval.ms} and reads everyone's (no consumer group: every agent reads
 * the whole, one-partition topic from the beginning, so it starts knowing who is there). On a
 * clean {@link #close()} it publishes a tombstone, so its peers take its share at once instead of
 * after the liveness window.
 *
 * <p>One thread owns the consumer; it also sends the heartbeats, so a stalled broker delays
 * neither the rounds nor shutdown beyond the producer's bounded blocking time.
 *
 * <p>While Kafka is unreachable an agent keeps its own id and sees its peers expire, so it ends
 * up probing the whole region; its peers, seeing it expire too, do the same. Endpoints are then
 * probed more than once a round, never not at all, which is the failure the design forbids.
 */
public final class KafkaMembership implements Membership {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMembership.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final String agentId;
    private final String region;
    private final long intervalMs;
    private final Clock wallClock;
    private final Ticker ticker;
    private final LiveSet live;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroWireSerde<AgentHeartbeat> serde;
    private final String topic = Topics.AGENT_HEARTBEATS.name();
    private final ThrottledLog warnings;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile boolean closed;
    private long lastSentNanos;

    private KafkaMembership(ProbeAgentConfig config, SchemaRegistryClient registry, Clock wallClock, Ticker ticker) {
        this.agentId = config.agentId();
        this.region = config.region();
        this.intervalMs = config.heartbeatIntervalMs();
        this.wallClock = wallClock;
        this.ticker = ticker;
        this.live = new LiveSet(wallClock, ticker, config.heartbeatLivenessMultiple());
        this.warnings = new ThrottledLog(LOG, ticker, TimeUnit.MINUTES.toNanos(1));
        this.serde = AvroWireSerde.forTopic(Topics.AGENT_HEARTBEATS, registry);
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "probe-membership-" + agentId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A missing topic is an operator's error to report, not one to paper over with a
        // broker-default (uncompacted) topic.
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "probe-heartbeat-" + agentId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A send must not hold the loop (and so the reading of peers' heartbeats) for long while
        // the broker is away; a heartbeat that cannot be sent in time is simply the next one's job.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(100L, Math.min(intervalMs, 5_000L)));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.loop = new Thread(this::run, "probe-membership-" + agentId);
        this.loop.setDaemon(true);
    }

    /**
     * Reads the heartbeat topic up to its current end (at most {@code heartbeat.startup.timeout.ms}),
     * publishes this agent's first heartbeat and keeps both going on a thread of its own. When the
     * first read does not finish in time the agent starts with what it has read and says so: it
     * may probe some endpoints a peer also probes until the read catches up.
     *
     * @throws IllegalStateException when the heartbeat topic does not exist (name and fix in the message)
     */
    public static KafkaMembership start(ProbeAgentConfig config, SchemaRegistryClient registry, Clock wallClock,
                                        Ticker ticker) {
        KafkaMembership m = new KafkaMembership(config, registry, wallClock, ticker);
        try {
            m.catchUp(config.heartbeatStartupTimeoutMs());
        } catch (RuntimeException e) {
            m.consumer.close(Duration.ZERO);
            m.producer.close(Duration.ZERO);
            throw e;
        }
        m.publish();
        m.loop.start();
        return m;
    }

    private void catchUp(long timeoutMs) {
        long deadline = ticker.nanos() + timeoutMs * 1_000_000L;
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("heartbeat topic " + topic + " does not exist: create the catalogue's topics "
                    + "(arena topics --bootstrap ...) before starting probe agents");
        }
        List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofMillis(timeoutMs));
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            if (ticker.nanos() - deadline > 0) {
                LOG.warn("agent {}: read of {} not finished after heartbeat.startup.timeout.ms={}; starting with {} "
                        + "live peers known", agentId, topic, timeoutMs, liveAgents().size() - 1);
                return;
            }
            consumer.poll(POLL).forEach(this::apply);
        }
        LOG.info("agent {} in region {}: live agents at start {}", agentId, region, liveAgents());
    }

    private void run() {
        try {
            while (running) {
                consumer.poll(POLL).forEach(this::apply);
                if (ticker.nanos() - lastSentNanos >= intervalMs * 1_000_000L) {
                    publish();
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll: fall through
        } catch (RuntimeException e) {
            // Never silently: peers would drop this agent while it keeps probing (duplicates, no gaps).
            LOG.error("agent {}: heartbeat loop stopped: {}", agentId, e.toString(), e);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            undecodable.incrementAndGet();
            warnings.warn("nokey", "heartbeat without a key skipped at " + r.topic() + "/" + r.partition() + "@" + r.offset()
                    + " (" + undecodable.get() + " skipped so far)");
            return;
        }
        if (r.value() == null) {
            String from = live.left(r.key());
            if (!r.key().equals(agentId) && region.equals(from)) {
                LOG.info("agent {}: peer {} left", agentId, r.key());
            }
            return;
        }
        try {
            live.heartbeat(serde.decode(r.value()));
        } catch (RuntimeException e) {
            undecodable.incrementAndGet();
            warnings.warn("decode", "undecodable heartbeat skipped at " + r.topic() + "/" + r.partition() + "@" + r.offset()
                    + ": " + e.getMessage() + " (" + undecodable.get() + " skipped so far)");
        }
    }

    private void publish() {
        lastSentNanos = ticker.nanos();
        AgentHeartbeat hb = AgentHeartbeat.newBuilder().setAgentId(agentId).setRegion(region)
                .setIntervalMs(intervalMs).setAtMs(wallClock.millis()).build();
        try {
            producer.send(new ProducerRecord<>(topic, agentId, serde.encode(topic, hb)), (md, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                } else {
                    warnings.warn("send", "agent " + agentId + ": heartbeat not delivered to " + topic + ": " + error);
                }
            });
        } catch (RuntimeException e) {
            warnings.warn("send", "agent " + agentId + ": heartbeat not sent to " + topic + ": " + e);
        }
    }

    @Override
    public Set<String> liveAgents() {
        SortedSet<String> ids = new TreeSet<>(live.live(region));
        ids.add(agentId); // running means alive, whatever the topic says (e.g. while Kafka is away)
        return ids;
    }

    /** Heartbeats the broker acknowledged. */
    long sent() {
        return sent.get();
    }

    /** Heartbeat records skipped because they could not be read. */
    long undecodable() {
        return undecodable.get();
    }

    /** Stops the heartbeat loop once; false when it was already stopped. */
    private boolean stopLoop() {
        if (closed) {
            return false;
        }
        closed = true;
        running = false;
        consumer.wakeup();
        try {
            loop.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * Stops heartbeating without a tombstone, as a killed process would: peers take over only when
     * the last heartbeat expires. For tests of that path.
     */
    void halt() {
        if (!stopLoop()) {
            return;
        }
        producer.close(Duration.ZERO);
        consumer.close(Duration.ZERO);
    }

    /**
     * Stops heartbeating and publishes a tombstone for this agent, waiting up to 5 s for the
     * broker to take it; without it peers take over only when the last heartbeat expires.
     */
    @Override
    public void close() {
        if (!stopLoop()) {
            return;
        }
        try {
            producer.send(new ProducerRecord<>(topic, agentId, null)).get(5, TimeUnit.SECONDS);
            LOG.info("agent {}: left region {} (tombstone published)", agentId, region);
        } catch (Exception e) {
            LOG.warn("agent {}: leaving tombstone not delivered ({}); peers take over when the last heartbeat "
                    + "expires", agentId, e.toString());
        } finally {
            producer.close(Duration.ofSeconds(5));
            consumer.close(Duration.ofSeconds(1));
        }
    }
}
