package dev.tokenarena.standalone;

import dev.tokenarena.schemas.TopicSpec;
import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.AvroCompatibility;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arena topics}: provisions the topic catalogue on an external cluster (and sets FULL
 * compatibility on the value subjects of a registry), or prints it. The catalogue in code is the
 * only source; manifests call this command instead of repeating topic names.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the TokenArena topics (idempotent) or print the catalogue.")
final class TopicsCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers; without it the catalogue is printed.")
    String bootstrap;

    @Option(names = "--replication-factor", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    short replicationFactor;

    @Option(names = "--registry", description = "Schema registry URL: set FULL compatibility on every value subject.")
    String registry;

    @Override
    public Integer call() throws Exception {
        if (bootstrap == null) {
            System.out.printf("%-30s %-10s %-22s %10s  %s%n", "topic", "partitions", "cleanup", "retention_d", "value");
            for (TopicSpec<?> t : Topics.all()) {
                System.out.printf("%-30s %-10d %-22s %10s  %s%n", t.name(), t.partitions(),
                        t.compacted() ? "compact" : "delete", t.compacted() ? "-" : Long.toString(t.retentionMs() / 86_400_000L),
                        t.valueType() == null ? "bytes" : t.valueType().getSimpleName());
            }
            return 0;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = Topics.all().stream().map(t -> t.newTopic(replicationFactor)).toList();
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    System.out.println("created " + entry.getKey());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        System.out.println("exists  " + entry.getKey());
                    } else {
                        throw new IllegalStateException("cannot create " + entry.getKey() + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        }
        if (registry != null) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry);
            for (TopicSpec<?> t : Topics.all()) {
                if (t.valueType() != null) {
                    client.setCompatibility(t.valueSubject(), AvroCompatibility.Level.FULL);
                }
            }
            System.out.println("compatibility FULL set on every value subject at " + client.url());
        }
        return 0;
    }
}
