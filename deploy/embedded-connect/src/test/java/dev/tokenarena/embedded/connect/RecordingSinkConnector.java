package dev.tokenarena.embedded.connect;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * A test sink that keeps record values in memory per connector name, or fails its task on start
 * when {@code fail.task=true}: enough to see a worker run a connector end to end.
 */
public final class RecordingSinkConnector extends SinkConnector {

    static final Map<String, Collection<Object>> RECEIVED = new ConcurrentHashMap<>();

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RecordingTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define("fail.task", ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW,
                "Fail the task on start, to test failure reporting.");
    }

    @Override
    public String version() {
        return "test";
    }

    /** The task: appends values to the connector's queue. */
    public static final class RecordingTask extends SinkTask {
        private Collection<Object> sink;

        @Override
        public void start(Map<String, String> props) {
            if (Boolean.parseBoolean(props.get("fail.task"))) {
                throw new ConnectException("task refused to start because fail.task=true");
            }
            sink = RECEIVED.computeIfAbsent(props.get("name"), n -> new ConcurrentLinkedQueue<>());
        }

        @Override
        public void put(Collection<SinkRecord> records) {
            records.forEach(r -> sink.add(r.value()));
        }

        @Override
        public void stop() {
        }

        @Override
        public String version() {
            return "test";
        }
    }
}
