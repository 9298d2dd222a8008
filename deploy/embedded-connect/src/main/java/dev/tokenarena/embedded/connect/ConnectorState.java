package dev.tokenarena.embedded.connect;

import java.util.List;

/**
 * What the worker says about one connector and its tasks. Our own value type so callers do not
 * depend on Connect's REST entity classes, which are internal and have changed between releases.
 *
 * @param name connector name
 * @param state connector state: UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED or RESTARTING
 * @param trace the connector's failure trace, or null
 * @param tasks one entry per task, ordered by task id
 */
public record ConnectorState(String name, String state, String trace, List<TaskState> tasks) {

    public static final String RUNNING = "RUNNING";
    public static final String FAILED = "FAILED";

    public ConnectorState {
        tasks = List.copyOf(tasks);
    }

    /**
     * One task of a connector.
     *
     * @param id task id within the connector
     * @param state task state, as for the connector
     * @param trace the task's failure trace, or null
     */
    public record TaskState(int id, String state, String trace) {
    }

    /** True when the connector and at least one task run, and no task is in another state. */
    public boolean isRunning() {
        return RUNNING.equals(state) && !tasks.isEmpty() && tasks.stream().allMatch(t -> RUNNING.equals(t.state()));
    }

    /** True when the connector or any task has failed; it will not recover without a restart. */
    public boolean hasFailed() {
        return FAILED.equals(state) || tasks.stream().anyMatch(t -> FAILED.equals(t.state()));
    }

    /** A multi-line description with every failure trace, for error messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder("connector ").append(name).append(' ').append(state);
        if (trace != null) {
            sb.append("\n  connector trace: ").append(trace);
        }
        if (tasks.isEmpty()) {
            sb.append("\n  no tasks");
        }
        for (TaskState task : tasks) {
            sb.append("\n  task ").append(task.id()).append(' ').append(task.state());
            if (task.trace() != null) {
                sb.append("\n  task trace: ").append(task.trace());
            }
        }
        return sb.toString();
    }
}
