package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.TaskRecord;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the rules ({@link StatelessReconciler}, {@link StatefulReconciler}, {@link NodeDrains},
 * {@link Deployments}, {@link AppCommands} …) may read of the scheduler's state while one input is
 * handled, as Nomad's reconciler reads a state snapshot: reads only, so that a rule's signature says
 * whether it merely looks ({@code SchedulerView}) or also decides ({@link Changes}). It shows every
 * change of the input made so far.
 */
interface SchedulerView {
    /** The time of the input being handled. */
    Instant now();

    Optional<AppState> app(String appId);

    /** The app's tasks, by instance. */
    List<TaskRecord> tasksOf(String appId);

    Optional<TaskRecord> task(String taskId);

    Collection<TaskRecord> tasks();

    /** The tasks recorded on a node. */
    Collection<TaskRecord> tasksOn(String nodeId);

    /** When the failing app may launch again; null when it is not backing off. */
    Instant delayedUntil(String appId);

    /**
     * True when the app's last search found no room and nothing that could make room has happened
     * since: the same search would fail again.
     */
    boolean searchedInVain(String appId);

    /** Why the app's instances waited at its last search, as the queue shows. */
    Map<String, Integer> unplacedReasons(String appId);

    /** When a node stopped being heard from long enough to count as unreachable. */
    Instant unreachableSince(String nodeId);

    /**
     * Grows whenever room may have appeared: a search that failed at the current value would fail
     * again.
     */
    long capacityEpoch();
}
