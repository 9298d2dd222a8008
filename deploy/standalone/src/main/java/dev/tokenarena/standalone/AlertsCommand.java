package dev.tokenarena.standalone;

import dev.tokenarena.schemas.Topics;
import dev.tokenarena.schemas.registry.RestSchemaRegistryClient;
import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.serde.AvroWireSerde;
import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.DriftAlert;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code arena alerts ...}: drift alerts from the command line. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "Drift alerts.",
        subcommands = AlertsCommand.Tail.class)
public final class AlertsCommand {

    private AlertsCommand() {
    }

    /**
     * Follows {@code arena.alerts.drift.v1}: one line per alert as it is opened or resolved, with
     * its evidence, or the alert as JSON. A record that cannot be decoded is named on stderr (topic,
     * partition, offset, why) and skipped; tailing goes on.
     */
    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Print drift alerts as they open and resolve (Ctrl-C stops).")
    static final class Tail implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--from-beginning", description = "Start with the oldest alert still in the topic, not the next new one.")
        boolean fromBeginning;

        @Option(names = "--endpoint", description = "Only this endpoint's alerts.")
        String endpoint;

        @Option(names = "--state", description = "Only OPEN or only RESOLVED alerts.")
        String state;

        @Option(names = "--json", description = "One JSON object per line (the alert's fields as in the schema).")
        boolean json;

        @Option(names = "--as", description = "Read a replay's output namespace: <topic>.<NAME>.")
        String namespace;

        @Option(names = "--max", defaultValue = "0", description = "Stop after this many alerts (0: never). For scripts.")
        long max;

        @Option(names = "--idle-timeout", converter = DurationConverter.class,
                description = "Stop when no alert arrived for this long, e.g. 30s (default: never). For scripts.")
        Duration idleTimeout;

        @Override
        public Integer call() {
            if (state != null && !state.equals("OPEN") && !state.equals("RESOLVED")) {
                throw new ArenaCli.BadInputException("--state must be OPEN or RESOLVED, got " + state);
            }
            String topic = TopicReader.topic(Topics.ALERTS, namespace);
            AvroWireSerde<DriftAlert> serde = AvroWireSerde.forTopic(Topics.ALERTS, new RestSchemaRegistryClient(cluster.registry));
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (KafkaConsumer<String, byte[]> consumer = TopicReader.assigned(cluster.bootstrap, topic)) {
                if (fromBeginning) {
                    consumer.seekToBeginning(consumer.assignment());
                } else {
                    consumer.seekToEnd(consumer.assignment());
                }
                // Ctrl-C: wake the poll so the consumer closes cleanly.
                Thread stop = new Thread(consumer::wakeup, "alerts-tail-stop");
                Runtime.getRuntime().addShutdownHook(stop);
                try {
                    return follow(consumer, serde, out, err);
                } finally {
                    removeHook(stop);
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                return 0;
            }
        }

        private static void removeHook(Thread hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }

        private int follow(KafkaConsumer<String, byte[]> consumer, AvroWireSerde<DriftAlert> serde, PrintWriter out,
                           PrintWriter err) {
            long shown = 0;
            long lastSeen = System.nanoTime();
            while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    DriftAlert alert;
                    try {
                        alert = r.value() == null ? null : serde.decode(r.value());
                    } catch (RuntimeException e) {
                        err.printf("arena alerts tail: skipped %s-%d@%d: %s%n", r.topic(), r.partition(), r.offset(),
                                ArenaCli.oneLine(e));
                        err.flush();
                        continue;
                    }
                    if (alert == null || !wanted(alert)) {
                        continue;
                    }
                    out.println(json ? AvroJson.toJson(alert) : line(alert));
                    out.flush();
                    lastSeen = System.nanoTime();
                    if (max > 0 && ++shown >= max) {
                        return 0;
                    }
                }
                if (idleTimeout != null && System.nanoTime() - lastSeen >= idleTimeout.toNanos()) {
                    return 0;
                }
            }
        }

        private boolean wanted(DriftAlert a) {
            return (endpoint == null || endpoint.equals(a.getEndpointId())) && (state == null || state.equals(a.getState()));
        }

        /** {@code <event time> <STATE> <kind> <endpoint> (<severity>): <summary> [<metric> <current> vs <baseline>, threshold <t>, n=<a>/<b>]}. */
        static String line(DriftAlert a) {
            StringBuilder sb = new StringBuilder();
            sb.append(Instant.ofEpochMilli(a.getEventTimeMs())).append(' ').append(a.getState()).append(' ')
                    .append(a.getKind()).append(' ').append(a.getEndpointId()).append(" (").append(a.getSeverity())
                    .append("): ").append(a.getSummary());
            AlertEvidence e = a.getEvidence();
            if (e != null) {
                sb.append(" [").append(e.getMetric()).append(' ').append(num(e.getCurrent())).append(" vs ")
                        .append(num(e.getBaseline()));
                if (e.getThreshold() != null) {
                    sb.append(", threshold ").append(num(e.getThreshold()));
                }
                if (e.getCurrentCount() != null || e.getBaselineCount() != null) {
                    sb.append(", n=").append(e.getCurrentCount() == null ? "-" : e.getCurrentCount()).append('/')
                            .append(e.getBaselineCount() == null ? "-" : e.getBaselineCount());
                }
                sb.append(']');
            }
            return sb.toString();
        }

        private static String num(Double v) {
            return v == null ? "-" : String.format(Locale.ROOT, "%.4g", v);
        }
    }
}
