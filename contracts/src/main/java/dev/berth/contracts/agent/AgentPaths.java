package dev.berth.contracts.agent;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The node agent's HTTP paths that another service calls: the agent serves them, the gateway builds
 * URLs to them. One definition, so the two cannot drift apart.
 */
public final class AgentPaths {
    /** A task's output, served by the agent of the node that runs (or ran) it; query: stream, tail, follow. */
    public static final String TASK_LOGS = "/v1/agent/tasks/{taskId}/logs";

    private AgentPaths() {
    }

    /** {@link #TASK_LOGS} for one task, its id encoded as one path segment. */
    public static String taskLogs(String taskId) {
        return TASK_LOGS.replace("{taskId}", URLEncoder.encode(taskId, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
