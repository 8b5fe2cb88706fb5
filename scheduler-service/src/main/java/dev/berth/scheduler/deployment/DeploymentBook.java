package dev.berth.scheduler.deployment;

import dev.berth.contracts.messages.Deployment;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's deployments: at most one unfinished per app (it governs that app's tasks), and the
 * latest {@link #KEPT} finished ones per app, which stay on {@code berth.deployments} as its history.
 * Rebuilt from that compacted topic on takeover ({@link #restore}), so a new active scheduler carries
 * on with the deployment where the last one left it.
 *
 * <p>The failures of new-version tasks are counted here only, in memory: a scheduler that takes over
 * starts counting again, which at worst gives a failing version a few more tries before it is rolled
 * back (the progress deadline, which is recorded, bounds it anyway).
 */
public final class DeploymentBook {
    /** Finished deployments kept per app: enough history to read, bounded so a busy app's stays small. */
    public static final int KEPT = 20;

    private final Map<String, Deployment> byId = new HashMap<>();
    private final Map<String, Deployment> activeByApp = new HashMap<>();
    private final Map<String, Deque<String>> finishedByApp = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, String> lastFailure = new HashMap<>();

    /** A record read while rebuilding (the latest per id wins, as compaction keeps it). */
    public void restore(Deployment d) {
        record(d);
    }

    /** A tombstone read while rebuilding. */
    public void forget(String deploymentId) {
        Deployment d = byId.remove(deploymentId);
        if (d != null) {
            activeByApp.remove(d.appId(), d);
            Deque<String> finished = finishedByApp.get(d.appId());
            if (finished != null) {
                finished.remove(deploymentId);
            }
        }
    }

    /**
     * Takes {@code d} as the deployment's latest state.
     *
     * @return ids of finished deployments of the app that fall out of the history (to tombstone)
     */
    public List<String> record(Deployment d) {
        Deployment before = byId.put(d.deploymentId(), d);
        if (!d.isFinished()) {
            activeByApp.put(d.appId(), d);
            return List.of();
        }
        activeByApp.remove(d.appId(), before);
        if (activeByApp.get(d.appId()) != null && activeByApp.get(d.appId()).deploymentId().equals(d.deploymentId())) {
            activeByApp.remove(d.appId());
        }
        failures.remove(d.deploymentId());
        lastFailure.remove(d.deploymentId());
        Deque<String> finished = finishedByApp.computeIfAbsent(d.appId(), a -> new ArrayDeque<>());
        if (before == null || !before.isFinished()) {
            finished.addLast(d.deploymentId());
        }
        List<String> dropped = new ArrayList<>();
        while (finished.size() > KEPT) {
            String old = finished.removeFirst();
            byId.remove(old);
            dropped.add(old);
        }
        return dropped;
    }

    /** The app's unfinished deployment, if any. */
    public Optional<Deployment> active(String appId) {
        return Optional.ofNullable(activeByApp.get(appId));
    }

    /**
     * The deployment that governs the app's tasks: the unfinished one, else the latest finished one if
     * it failed at the app's current version (the app then stays at the mix it reached).
     */
    public Optional<Deployment> governing(String appId, long appVersion) {
        Deployment active = activeByApp.get(appId);
        if (active != null) {
            return Optional.of(active);
        }
        Deque<String> finished = finishedByApp.get(appId);
        if (finished == null || finished.isEmpty()) {
            return Optional.empty();
        }
        Deployment last = byId.get(finished.peekLast());
        return last != null && last.state() == dev.berth.contracts.messages.DeploymentState.FAILED
                && last.toVersion() == appVersion ? Optional.of(last) : Optional.empty();
    }

    public Optional<Deployment> find(String deploymentId) {
        return Optional.ofNullable(byId.get(deploymentId));
    }

    /** Every unfinished deployment (for the tick's deadlines). */
    public List<Deployment> unfinished() {
        return activeByApp.values().stream().sorted(Comparator.comparing(Deployment::deploymentId)).toList();
    }

    /** Every deployment of the app still kept, for its tombstones once the app is gone. */
    public List<String> allOf(String appId) {
        return byId.values().stream().filter(d -> d.appId().equals(appId)).map(Deployment::deploymentId).toList();
    }

    /** The app is gone: its history goes with it. */
    public void appRemoved(String appId) {
        allOf(appId).forEach(byId::remove);
        activeByApp.remove(appId);
        finishedByApp.remove(appId);
    }

    /** A task of the new version failed during the deployment; returns how many have so far. */
    public int newTaskFailed(String deploymentId, String why) {
        lastFailure.put(deploymentId, why);
        return failures.merge(deploymentId, 1, Integer::sum);
    }

    public int failures(String deploymentId) {
        return failures.getOrDefault(deploymentId, 0);
    }

    public String lastFailure(String deploymentId) {
        return lastFailure.get(deploymentId);
    }
}
