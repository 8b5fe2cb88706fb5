package dev.berth.scheduler.placement;

/**
 * One preference among nodes that passed every filter. Each scorer returns a score normalised to
 * [-1, 1] (higher is better); the engine combines them as a weighted mean (see
 * {@link PlacementEngine.Options}). A scorer that does not apply to a task (affinity for a task
 * without any) is left out of that task's mean altogether.
 */
public interface NodeScorer {
    String name();

    /** Whether this scorer has anything to say about the task. */
    default boolean appliesTo(TaskContext task) {
        return true;
    }

    /** The node's score for the task, in [-1, 1]. */
    double score(TaskContext task, NodeView node);
}
