package dev.berth.contracts.app;

/**
 * How a change of an app's definition is rolled out (a deployment), in Marathon's field names, with
 * Nomad's canaries and auto-revert added. Read by the scheduler's deployment planner and executor.
 *
 * <p>With {@code n} instances: at least {@code ceil(minimumHealthCapacity × n)} instances (of either
 * version) stay healthy throughout, and at most {@code floor(maximumOverCapacity × n)} run beyond
 * {@code n}. A stateful app upgrades in place (stop the old task, start the new one on the same
 * volumes), so it can never run extra instances: its {@code maximumOverCapacity} is 0 and its
 * {@code minimumHealthCapacity} only bounds how many identities are down at once (at most
 * {@code ceil((1 - m) × n)}, and at least one, or it could never move).
 *
 * @param minimumHealthCapacity   0..1: the share of instances that must stay healthy during the roll
 * @param maximumOverCapacity     0..1: the share of instances that may run on top of the count
 * @param canary                  new-version instances started first; the deployment then pauses
 *                                (unless {@code autoPromote}) until promoted or rolled back; 0: none
 * @param autoPromote             continue by itself once the canaries are healthy
 * @param autoRollback            a deployment that fails (deadline passed, new instances failing) is
 *                                reverted to the previous definition instead of being left as it is
 * @param progressDeadlineSeconds how long a deployment may take before it fails (≥ 10)
 */
public record UpgradeStrategy(double minimumHealthCapacity, double maximumOverCapacity, int canary,
                              boolean autoPromote, boolean autoRollback, int progressDeadlineSeconds) {

    public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
    public static final int MIN_PROGRESS_DEADLINE_SECONDS = 10;
    public static final int MAX_PROGRESS_DEADLINE_SECONDS = 7 * 24 * 3600;

    /** Marathon's default for apps without volumes: start all new ones beside the old, then stop the old. */
    public static final UpgradeStrategy STATELESS_DEFAULT = new UpgradeStrategy(1.0, 1.0, 0, true, false,
            DEFAULT_PROGRESS_DEADLINE_SECONDS);
    /** Marathon's default for resident (volume) apps: in place, half of them may be down at once. */
    public static final UpgradeStrategy STATEFUL_DEFAULT = new UpgradeStrategy(0.5, 0.0, 0, true, false,
            DEFAULT_PROGRESS_DEADLINE_SECONDS);

    /** The default for an app with ({@code stateful}) or without persistent volumes. */
    public static UpgradeStrategy defaultFor(boolean stateful) {
        return stateful ? STATEFUL_DEFAULT : STATELESS_DEFAULT;
    }

    /** The same strategy with another canary count (0 after a promote). */
    public UpgradeStrategy withCanary(int newCanary) {
        return new UpgradeStrategy(minimumHealthCapacity, maximumOverCapacity, newCanary, autoPromote, autoRollback,
                progressDeadlineSeconds);
    }

    /** With {@code n} instances: how many must stay healthy throughout. */
    public int minimumHealthy(int n) {
        // A tiny epsilon so that 0.3 × 10 is 3, not 4 through floating-point noise.
        return (int) Math.min(n, Math.ceil(minimumHealthCapacity * n - 1e-9));
    }

    /** With {@code n} instances: how many may run on top of {@code n}. */
    public int maximumExtra(int n) {
        return (int) Math.floor(maximumOverCapacity * n + 1e-9);
    }
}
