package dev.tokenarena.scoring;

import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the scoring app against an external Kafka and Schema Registry until stopped. Exit codes:
 * 0 after a clean shutdown, 1 when Streams died, 2 on bad configuration (one-line reason).
 */
@Command(name = "arena-scoring", mixinStandardHelpOptions = true,
        description = "TokenArena scoring streams: composites, leaderboards and drift alerts.")
public final class ScoringMain implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file; ARENA_* environment variables override its keys.")
    Path config;

    public static void main(String[] args) {
        ScoringApp.useUsFormatLocale();
        System.exit(new CommandLine(new ScoringMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        ScoringConfig cfg;
        try {
            cfg = ScoringConfig.load(config, System.getenv());
        } catch (ConfigException e) {
            System.err.println("arena-scoring: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (ScoringApp app = new ScoringApp(cfg, new RestSchemaRegistryClient(cfg.schemaRegistryUrl()))) {
            app.streams().setStateListener((now, before) -> {
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stopped.countDown();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.close();
                stopped.countDown();
            }, "arena-scoring-shutdown"));
            app.start();
            stopped.await();
            return app.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
        }
    }
}
