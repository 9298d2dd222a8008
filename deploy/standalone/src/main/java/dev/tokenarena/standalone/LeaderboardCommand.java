package dev.tokenarena.standalone;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.LeaderboardSnapshot;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arena leaderboard --preset rag}: the latest leaderboard of one preset and window, read
 * from the compacted {@code arena.leaderboard.v1} (key {@code preset} for 1 h, {@code
 * preset@window} otherwise) up to its end at the time of asking, as the demo prints it, or as JSON.
 */
@Command(name = "leaderboard", mixinStandardHelpOptions = true,
        description = "Print the latest leaderboard of a preset (and window).")
public final class LeaderboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", required = true, description = "chat, rag, reasoning, coding, voice, batch (or a preset of your config).")
    String preset;

    @Option(names = "--window", defaultValue = Topics.MAIN_WINDOW, description = "1h, 24h or 7d. Default: ${DEFAULT-VALUE}.")
    String window;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--as", description = "Read a replay's output namespace: <topic>.<NAME>.")
    String namespace;

    @Option(names = "--json", description = "The snapshot as JSON (every field of every row).")
    boolean json;

    @Override
    public Integer call() {
        String topic = TopicReader.topic(Topics.LEADERBOARD, namespace);
        String key = Topics.leaderboardKey(preset, window);
        AvroWireSerde<LeaderboardSnapshot> serde = AvroWireSerde.forTopic(Topics.LEADERBOARD,
                new RestSchemaRegistryClient(cluster.registry));
        byte[] latest = null;
        try (KafkaConsumer<String, byte[]> consumer = TopicReader.assigned(cluster.bootstrap, topic)) {
            consumer.seekToBeginning(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key()) && r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        latest = r.value(); // compacted and keyed: the last one is the current board
                    }
                }
            }
        }
        if (latest == null) {
            throw new ArenaCli.BadInputException("no leaderboard '" + key + "' in " + topic + " at " + cluster.bootstrap
                    + " (is scoring running, and is '" + preset + "' a preset of its config?)");
        }
        LeaderboardSnapshot snapshot = serde.decode(latest);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? AvroJson.toJson(snapshot) + System.lineSeparator()
                : LeaderboardTable.render(snapshot) + LeaderboardTable.renderLatency(snapshot));
        out.flush();
        return 0;
    }
}
