package dev.berth.scheduler.core;

import java.time.Duration;

/**
 * Tunables of the scheduler core.
 *
 * @param nodeTimeout        a node silent for longer gets no new tasks
 * @param killGracePeriod    SIGTERM → SIGKILL delay sent with every kill
 * @param relaunchDelay      wait before relaunching an instance whose task failed, so a crashing
 *                           command does not spin (the real backoff policy is a later issue)
 */
public record SchedulerSettings(Duration nodeTimeout, Duration killGracePeriod, Duration relaunchDelay) {
    public static SchedulerSettings defaults() {
        return new SchedulerSettings(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(1));
    }
}
