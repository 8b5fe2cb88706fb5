package dev.berth.scheduler.core;

import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.UndrainNode;
import dev.berth.scheduler.placement.Cluster;
import dev.berth.scheduler.placement.NodeAvailability;
import dev.berth.scheduler.placement.NodeInfo;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules for what is heard (or no longer heard) of nodes: a registration or heartbeat updates the
 * node and is checked against the task records (what runs that no app wants is killed, what vanished
 * is lost); a node silent past the timeout loses its tasks; an operator's drain or undrain changes what
 * the node takes. Every change of a node's availability is announced. Which apps are then looked at
 * again is the reconcile loop's: these rules only say whether room may have appeared. Kept apart from
 * {@link SchedulerCore} as the rules of three of its inputs.
 */
final class NodeEvents {
    private final SchedulerSettings settings;
    private final SchedulerState state;
    private final Cluster cluster;
    private final NodeLiveness liveness;
    private final StatefulVolumes volumes;
    private final StatefulReconciler stateful;
    private final NodeDrains drains;

    NodeEvents(SchedulerSettings settings, SchedulerState state, NodeLiveness liveness, StatefulVolumes volumes,
               StatefulReconciler stateful, NodeDrains drains) {
        this.settings = settings;
        this.state = state;
        this.cluster = state.cluster();
        this.liveness = liveness;
        this.volumes = volumes;
        this.stateful = stateful;
        this.drains = drains;
    }

    /**
     * A live registration or heartbeat. The agent's list of running tasks is reconciled against the
     * records: what the node runs that no app wants is killed, and what should run there but has
     * vanished is taken as lost and replaced.
     *
     * @return whether waiting apps may fit now: the node is new or back, or tasks of it were lost
     */
    boolean reported(NodeReport report, InputPlan plan) {
        boolean firstHeard = liveness.heard(report.nodeId(), plan.now(), report.volumes().leaseMillis());
        boolean changed = cluster.putNode(info(report));
        if (changed) {
            stateful.nodesChanged();
        }
        boolean gainedNode = firstHeard || cluster.mode(report.nodeId()) == NodeAvailability.UNREACHABLE;
        if (gainedNode || changed) {
            state.capacityGrew();
        }
        if (gainedNode) {
            plan.announce(Announcements.nodeUp(report.nodeId(), report.host(), plan.now()));
        }
        cluster.setMode(report.nodeId(), drains.modeWhenReachable(report.nodeId()));

        Set<String> running = new HashSet<>(report.runningTaskIds());
        for (String taskId : report.runningTaskIds()) {
            TaskRecord known = state.task(taskId);
            if (known == null || !known.nodeId().equals(report.nodeId())) {
                plan.send(KillTask.of(report.nodeId(), taskId, settings.defaultKillGrace(),
                        "not known to the scheduler", report.id()));
            }
        }
        boolean lostAny = false;
        // Both times are the agent's: a heartbeat taken well after the task was seen running must
        // list it, however late either message reaches a busy scheduler.
        Instant reportedAt = report.occurredAt() == null ? plan.now() : report.occurredAt();
        for (TaskRecord task : List.copyOf(state.tasksOn(report.nodeId()))) {
            if (task.desired() == DesiredState.RUN && task.state().isActive() && !running.contains(task.taskId())
                    && task.runningSince() != null
                    && task.runningSince().plus(settings.missingTaskGrace()).isBefore(reportedAt)) {
                lose(task, "no longer running on " + report.nodeId(), false, plan);
                lostAny = true;
            }
        }
        return gainedNode || lostAny;
    }

    /**
     * An operator drains a node (its tasks move away one at a time) or opens it again.
     *
     * @return whether a drained node was opened again: room appeared
     */
    boolean administered(NodeAdminCommand command, InputPlan plan) {
        NodeAvailability before = cluster.mode(command.nodeId());
        boolean wasDrained = drains.apply(command);
        if (before == NodeAvailability.UNREACHABLE) {
            cluster.setMode(command.nodeId(), NodeAvailability.UNREACHABLE);
        }
        // A drain of a drained node (or undrain of an open one) changes nothing and says nothing.
        String host = cluster.node(command.nodeId()).map(NodeInfo::host).orElse(null);
        if (command instanceof UndrainNode && wasDrained) {
            plan.announce(Announcements.nodeUndrain(command.nodeId(), host, plan.now()));
        } else if (!(command instanceof UndrainNode) && !wasDrained) {
            plan.announce(Announcements.nodeDrain(command.nodeId(), host, plan.now()));
        }
        boolean opened = command instanceof UndrainNode && wasDrained;
        if (opened) {
            state.capacityGrew();
        }
        return opened;
    }

    /** Nodes silent past the timeout are declared unreachable, and their tasks lost. */
    void silenced(InputPlan plan) {
        for (NodeLiveness.Silenced silent : liveness.newlySilent(plan.now())) {
            String nodeId = silent.nodeId();
            List<TaskRecord> lost = List.copyOf(state.tasksOn(nodeId));
            // A node already silent when this scheduler took over was announced down by the one before,
            // which lost its tasks then; it is announced again only if it still had tasks to lose.
            if (!silent.inherited() || !lost.isEmpty()) {
                plan.announce(Announcements.nodeDown(nodeId, cluster.node(nodeId).map(NodeInfo::host).orElse(null),
                        lost.size(), plan.now()));
            }
            for (TaskRecord task : lost) {
                lose(task, "node " + nodeId + " unreachable", true, plan);
            }
        }
    }

    /**
     * A task whose node is gone ({@code nodeLost}), or that vanished from it: forgotten, killed if it
     * ever shows up, replaced. Its volumes are detached if its node is still there; from a lost node
     * they are taken only by a fence, once the node's lease has run out.
     */
    private void lose(TaskRecord task, String reason, boolean nodeLost, InputPlan plan) {
        // Recorded LOST first, so readers of berth.tasks see what happened before the tombstone.
        plan.recordTask(task.observed(TaskState.LOST, reason, null, null, plan.now()));
        plan.removeTask(task.taskId());
        volumes.taskEnded(task, nodeLost, plan);
        // The node may come back: the kill waits in its command partition, and its heartbeat would
        // show the task as unknown anyway.
        plan.send(KillTask.of(task.nodeId(), task.taskId(), plan.killGrace(task.appId()), "lost: " + reason,
                task.id()));
        if (state.hasApp(task.appId())) {
            state.unsettle(task.appId());
        }
    }

    static NodeInfo info(NodeReport report) {
        return new NodeInfo(report.nodeId(), report.hostname(), report.host(), report.capacity(), report.ports(),
                report.attributes(), report.isolation(), Set.copyOf(report.volumes().providers()),
                report.confinement());
    }
}
