package dev.berth.agent.sweep;

import java.time.Instant;

/**
 * One process the sweep found on the node that no live task of this agent accounts for, and killed: what
 * an operator needs to see of it, in the log and on {@code GET /v1/agent/strays}.
 *
 * @param pid      its pid on the host
 * @param taskId   the task it belonged to, as its cgroup's name or its mark says
 * @param foundBy  {@code cgroup} (it ran in a task group of this agent) or {@code mark} (it carried the agent's
 *                 mark, outside any of its task groups)
 * @param command  its command line, as far as the host told
 * @param gone     false if it still ran after SIGKILL (stuck in the kernel; the next sweep tries again)
 * @param killedAt when the sweep killed it
 */
public record Stray(long pid, String taskId, String foundBy, String command, boolean gone, Instant killedAt) {
    public static final String BY_CGROUP = "cgroup";
    public static final String BY_MARK = "mark";
}
