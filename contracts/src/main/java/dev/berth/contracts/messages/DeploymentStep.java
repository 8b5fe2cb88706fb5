package dev.berth.contracts.messages;

/**
 * One step of a {@link Deployment}'s plan, as the planner computed it and the executor marks it.
 *
 * @param action what the step does: {@code START_CANARIES}, {@code PAUSE}, {@code ROLL} (start new,
 *               stop old within the strategy's bounds), {@code UPGRADE_IN_PLACE} (one stateful
 *               identity: stop, start the new version on its volumes), {@code WAIT_HEALTHY}
 * @param detail for people: e.g. {@code "db-1"}, {@code "2 canaries"}, {@code "4 instances, ≥4 healthy, ≤8 running"}
 * @param status {@code PENDING}, {@code RUNNING}, {@code DONE} or {@code FAILED}
 */
public record DeploymentStep(String action, String detail, String status) {
    public static final String START_CANARIES = "START_CANARIES";
    public static final String PAUSE = "PAUSE";
    public static final String ROLL = "ROLL";
    public static final String UPGRADE_IN_PLACE = "UPGRADE_IN_PLACE";
    public static final String WAIT_HEALTHY = "WAIT_HEALTHY";

    public static final String PENDING = "PENDING";
    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    public static DeploymentStep pending(String action, String detail) {
        return new DeploymentStep(action, detail, PENDING);
    }

    public DeploymentStep withStatus(String newStatus) {
        return new DeploymentStep(action, detail, newStatus);
    }
}
