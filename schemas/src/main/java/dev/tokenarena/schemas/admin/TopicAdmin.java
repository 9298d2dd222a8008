package dev.tokenarena.schemas.admin;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creating topics so that they can be used at once. A creation future completes before leader
 * election does, and a client that reads or writes right away is told the broker "does not host
 * this topic-partition"; so creation here waits for every partition's leader.
 */
public final class TopicAdmin {

    private TopicAdmin() {
    }

    /** Creates the topics, ignoring those that exist, then waits for their leaders. */
    public static void createTopics(Admin admin, Collection<NewTopic> topics, Duration timeout) {
        admin.createTopics(topics).values().forEach((name, future) -> {
            try {
                future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topic " + name, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating topic " + name + " within " + timeout, e);
            }
        });
        awaitLeaders(admin, topics.stream().map(NewTopic::name).toList(), timeout);
    }

    /** Waits until every partition of the topics has a leader, or fails naming them. */
    public static void awaitLeaders(Admin admin, List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // metadata not propagated yet: ask again until the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for leaders of " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader for every partition of " + names + " within " + timeout);
            }
            // back off between metadata requests, like the clients' own retry.backoff.ms
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
