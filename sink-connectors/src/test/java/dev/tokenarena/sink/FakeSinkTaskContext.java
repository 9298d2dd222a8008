package dev.tokenarena.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** A sink task context that records what a task reports, for tests without a worker. */
final class FakeSinkTaskContext implements SinkTaskContext {

    /** One report to the errant-record reporter. */
    record Reported(SinkRecord record, Throwable error) {
    }

    final List<Reported> reported = new ArrayList<>();
    final List<Long> timeouts = new ArrayList<>();
    private final boolean withReporter;

    FakeSinkTaskContext(boolean withReporter) {
        this.withReporter = withReporter;
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!withReporter) {
            return null;
        }
        return (record, error) -> {
            reported.add(new Reported(record, error));
            return CompletableFuture.completedFuture(null);
        };
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
    }

    @Override
    public void timeout(long timeoutMs) {
        timeouts.add(timeoutMs);
    }

    @Override
    public Set<TopicPartition> assignment() {
        return Set.of();
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return null;
    }
}
