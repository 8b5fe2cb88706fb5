package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Why one task of an app stopped running when it should have run: Marathon's {@code lastTaskFailure}
 * (its {@code taskId}, {@code state}, {@code message}, {@code timestamp}, {@code version}) with what
 * Berth also knows: the exit code, the node and host, and the instance it was. Kept on the app's
 * {@link AppTaskHistory} and shown on the app, its instances and its queue entry, so "why does my app
 * not run?" is answered where people look, not only on the event stream.
 *
 * @param state   how it ended: FAILED, FINISHED (exited while it should run), LOST, KILLED, or
 *                UNHEALTHY when its health checks failed and it is being replaced
 * @param message the agent's reason ({@code OOM_KILLED: …}), or what Berth concluded when it gave none
 */
public record TaskFailure(String taskId, String appId, long version, int instance, String identity,
                          TaskState state, String message, Integer exitCode, String nodeId, String host,
                          Instant timestamp) {

    /** The failure a task's last record shows, at {@code at}. */
    public static TaskFailure of(TaskRecord task, Instant at) {
        return new TaskFailure(task.taskId(), task.appId(), task.appVersion(), task.instance(), task.identity(),
                task.state(), message(task), task.exitCode(), task.nodeId(), task.host(), at);
    }

    /** The agent's reason when it gave one; otherwise what the end itself says. */
    private static String message(TaskRecord task) {
        if (task.reason() != null && !task.reason().isBlank()) {
            return task.reason();
        }
        return switch (task.state()) {
            case FINISHED -> "exited with code 0 while it should keep running";
            case FAILED -> task.exitCode() == null ? "failed" : "exited with code " + task.exitCode();
            case LOST -> "lost: its node stopped reporting it";
            case KILLED -> "killed";
            default -> task.state().name();
        };
    }
}
