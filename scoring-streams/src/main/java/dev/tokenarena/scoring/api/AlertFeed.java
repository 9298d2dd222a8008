package dev.tokenarena.scoring.api;

import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.DriftAlert;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@code GET /alerts/stream}: a group-less consumer of the (namespaced) alerts topic that
 * reads every partition from its end, read_committed, and sends each transition as a
 * server-sent event to every subscribed channel. Each instance runs its own, so any instance
 * streams all alerts and no request is forwarded. A subscriber that cannot keep up (its channel
 * stops being writable) is disconnected rather than buffered without bound.
 */
final class AlertFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);
    /** Most subscribers one instance serves. */
    static final int MAX_SUBSCRIBERS = 256;

    private final String topic;
    private final AvroWireSerde<DriftAlert> serde;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Set<Channel> subscribers = ConcurrentHashMap.newKeySet();
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private volatile boolean started;

    AlertFeed(String bootstrapServers, String topic, AvroWireSerde<DriftAlert> serde) {
        this.topic = topic;
        this.serde = serde;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "arena-api-alert-feed");
        this.thread.setDaemon(true);
    }

    void start() {
        started = true;
        thread.start();
    }

    /** True once the feed reads every partition (events from then on reach subscribers). */
    boolean awaitAssigned(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean subscribe(Channel channel) {
        if (subscribers.size() >= MAX_SUBSCRIBERS) {
            return false;
        }
        subscribers.add(channel);
        channel.closeFuture().addListener(f -> subscribers.remove(channel));
        return true;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    private void run() {
        try {
            List<PartitionInfo> partitions = List.of();
            while (partitions.isEmpty()) {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (partitions.isEmpty() && stopping.await(1, TimeUnit.SECONDS)) {
                    return;
                }
            }
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position); // resolve the end now, so nothing after "assigned" is missed
            assigned.countDown();
            while (stopping.getCount() > 0) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    broadcast(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("alert feed of {} stopped; /alerts/stream sends nothing more", topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void broadcast(ConsumerRecord<String, byte[]> r) {
        String json;
        try {
            json = AvroJson.toJson(serde.decode(r.value()));
        } catch (RuntimeException e) {
            LOG.warn("alert feed skips undecodable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
            return;
        }
        String event = sseEvent(r.partition() + "-" + r.offset(), "alert", json);
        for (Channel ch : subscribers) {
            if (!ch.isWritable()) {
                LOG.warn("closing slow /alerts/stream subscriber {}", ch.remoteAddress());
                ch.close();
                continue;
            }
            ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        sent.incrementAndGet();
    }

    /** One server-sent event; data is one JSON line, so no line splitting is needed. */
    static String sseEvent(String id, String name, String data) {
        return "id: " + id + "\nevent: " + name + "\ndata: " + data + "\n\n";
    }

    @Override
    public void close() {
        stopping.countDown();
        if (!started) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscribers.forEach(Channel::close);
    }
}
