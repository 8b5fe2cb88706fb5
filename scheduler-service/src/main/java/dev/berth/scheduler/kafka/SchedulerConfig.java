package dev.berth.scheduler.kafka;

import dev.berth.contracts.app.PlacementStrategy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/** Configuration of the scheduler service ({@code berth.scheduler.*}, or BERTH_SCHEDULER_* env vars). */
@ConfigMapping(prefix = "berth.scheduler")
public interface SchedulerConfig {
    /** Kafka transactional id. Fixed per cluster: a second writer with the same id fences the first. */
    @WithDefault("berth-scheduler")
    String transactionalId();

    /** Consumer group under which command and status offsets are committed. */
    @WithDefault("berth-scheduler")
    String groupId();

    /** A node silent for longer is unreachable: it gets no new tasks and its tasks are replaced. */
    @WithDefault("5s")
    Duration nodeTimeout();

    /** SIGTERM → SIGKILL delay (whole seconds) for kills of tasks no app claims. */
    @WithDefault("3s")
    Duration killGracePeriod();

    /** A failing app whose instances all stayed up this long since its last failure backs off from the start again. */
    @WithDefault("10s")
    Duration backoffResetAfter();

    /** A task its node no longer reports is taken as lost only if it was seen running at least this long ago. */
    @WithDefault("5s")
    Duration missingTaskGrace();

    /**
     * How often nodes are checked for silence and waiting instances and delayed relaunches (backoff)
     * are looked at again. Short, so a lost node's tasks are replaced soon after the node timeout.
     */
    @WithDefault("250ms")
    Duration tickInterval();

    /**
     * How long the scheduler may keep gathering input that is already arriving before it commits it
     * as one transaction. Longer batches cost the broker less per task; each task waits at most this.
     */
    @WithDefault("10ms")
    Duration batchWindow();

    /** How apps that do not choose a strategy are placed: SPREAD over nodes, or BINPACK onto few. */
    @WithDefault("SPREAD")
    PlacementStrategy placementStrategy();

    /**
     * Consumer group in which the schedulers elect their leader (the holder of partition 0 of
     * {@code berth.scheduler-leader}). Every scheduler of one installation uses the same group.
     */
    @WithDefault("berth-scheduler-leader")
    String leaderGroupId();

    /**
     * How long the leader group waits for a silent scheduler before another takes over: the bulk of a
     * failover after a crash. The broker's {@code group.min.session.timeout.ms} (default 6 s) must be
     * at most this; see docs/operations.md.
     */
    @WithDefault("3s")
    Duration leaderSessionTimeout();

    /** How often schedulers heartbeat to the leader group; a standby learns of a failover on its next one. */
    @WithDefault("500ms")
    Duration leaderHeartbeatInterval();

    /**
     * Added to a lost node's volume lease (which it reports) before its external volumes are fenced and
     * attached elsewhere: covers clock drift and a heartbeat still in flight when the node was cut off.
     */
    @WithDefault("1s")
    Duration leaseMargin();

    /**
     * Final records of ended tasks kept per app on {@code berth.task-history} (what
     * {@code GET /v1/tasks?state=terminal} lists); older ones drop off as new ones end.
     */
    @WithDefault("20")
    int endedTasksKept();

    /** Replication factor for topics this service creates (1 for a single broker). */
    @WithName("topic-replication-factor")
    @WithDefault("1")
    short topicReplicationFactor();
}
