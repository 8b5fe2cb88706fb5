package dev.berth.agent.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * This node's cgroup hierarchy, as far as the agent may use it: v1 (one tree per controller, as on
 * hosts with a "hybrid" layout) or v2 (one unified tree). It creates one group per task, with its
 * limits, under the agent's parent group.
 */
public interface Cgroups {

    /** {@code cgroups-v1} or {@code cgroups-v2}: the node's isolation as the cluster sees it. */
    String isolation();

    /**
     * Creates the task's group (or re-uses it, for a relaunch of the same task id) and sets its limits.
     *
     * @throws IOException when the hierarchy refuses (not root, controller missing, …)
     */
    TaskCgroup create(String name, CgroupLimits limits) throws IOException;

    /**
     * Removes the agent's own parent group if no task group is left in it (an agent that stops with
     * tasks still running keeps it: they are in it, and the next agent process adopts them).
     */
    void removeParentIfEmpty();

    /** The names of the task groups under the agent's parent group now. */
    List<String> taskGroups();

    /** The group of a task created earlier (by this agent or one before it), if it still exists. */
    Optional<TaskCgroup> existing(String name);

    /**
     * Finds what this host offers under {@code root} and checks it is usable by creating and removing
     * a probe group; empty when there is no writable hierarchy with the controllers Berth needs.
     */
    static Optional<Cgroups> detect(Path root, String parent) {
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            return CgroupsV2.open(root, parent);
        }
        return CgroupsV1.open(root, parent);
    }
}
