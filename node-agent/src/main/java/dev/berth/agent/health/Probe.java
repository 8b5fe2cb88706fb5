package dev.berth.agent.health;

import java.util.concurrent.CompletableFuture;

/**
 * One health check's way of looking at its task. A probe completes within the check's timeout (a
 * slower one is a failure, {@code timed out after N s}); it never completes exceptionally.
 */
interface Probe {
    /** Starts one probe. Only called again once the previous one has completed. */
    CompletableFuture<ProbeResult> run();

    /** What is checked, for reasons: {@code HTTP check on port 31002 /health}. */
    String description();

    /** Stops whatever a probe still runs (a command's processes): its task is going away. */
    default void cancel() {
    }

    /** A check that cannot be run as configured (no such port): every probe fails, saying why. */
    static Probe failing(String description, String why) {
        return new Probe() {
            @Override
            public CompletableFuture<ProbeResult> run() {
                return CompletableFuture.completedFuture(ProbeResult.fail(why));
            }

            @Override
            public String description() {
                return description;
            }
        };
    }
}
