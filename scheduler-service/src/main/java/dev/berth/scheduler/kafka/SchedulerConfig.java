package dev.berth.scheduler.kafka;

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

    @WithDefault("5s")
    Duration nodeTimeout();

    @WithDefault("3s")
    Duration killGracePeriod();

    @WithDefault("1s")
    Duration relaunchDelay();

    /** How often waiting instances and delayed relaunches are looked at again. */
    @WithDefault("1s")
    Duration tickInterval();

    /** Replication factor for topics this service creates (1 for a single broker). */
    @WithName("topic-replication-factor")
    @WithDefault("1")
    short topicReplicationFactor();
}
