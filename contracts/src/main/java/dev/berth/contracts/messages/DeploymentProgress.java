package dev.berth.contracts.messages;

/**
 * How far a {@link Deployment} got, counted at its last change.
 *
 * @param target     instances the new version should end with
 * @param newHealthy new-version instances that count as up (health checks pass, or RUNNING without checks)
 * @param newRunning new-version instances running (healthy or not yet)
 * @param oldRunning old-version instances still running
 */
public record DeploymentProgress(int target, int newHealthy, int newRunning, int oldRunning) {
    public static final DeploymentProgress NONE = new DeploymentProgress(0, 0, 0, 0);
}
