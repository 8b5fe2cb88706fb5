package dev.berth.scheduler.placement;

import dev.berth.contracts.app.Constraint;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link TaskRequest} prepared for one placement: its strategy resolved, its constraints compiled
 * against the app's current instance counts, its fixed and dynamic host ports sorted out, and every
 * rejection reason built once, so that checking a node allocates nothing. Valid for one placement
 * only: the next one of a batch sees the counts this one changed.
 */
public final class TaskContext {
    private final TaskRequest request;
    private final PlacementStrategy strategy;
    final AppFootprint app;
    final ConstraintCheck[] checks;
    final ConstraintCheck.GroupBy[] groupBys;
    final int[] fixedPorts;
    final String[] fixedPortReasons;
    final int dynamicPorts;
    /** The volume drivers the task needs, sorted so the first missing one is always the same reason. */
    final String[] volumeProviders;
    final String[] volumeProviderReasons;
    /** Why a node other than the one holding the task's local volume cannot take it; null when not pinned. */
    final String pinnedReason;
    /** Why a node that does not allow the app's user cannot take it; null when the app names none. */
    final String userReason;
    /** Only a node that gives each task its own root file system may take it. */
    final boolean ownRootRequired;

    TaskContext(TaskRequest request, PlacementStrategy strategy, Cluster cluster, ConstraintCache cache) {
        this.request = request;
        this.strategy = strategy;
        this.app = cluster.app(request.appId());

        List<ConstraintCheck> compiled = new ArrayList<>(request.constraints().size());
        for (Constraint c : request.constraints()) {
            compiled.add(ConstraintCheck.compile(c, counts(c.field()), cache));
        }
        // Cheapest first; the sort is stable, so equal costs keep the app's order (and its reasons).
        compiled.sort(Comparator.comparingInt(ConstraintCheck::cost));
        this.checks = compiled.toArray(new ConstraintCheck[0]);
        this.groupBys = compiled.stream().filter(c -> c instanceof ConstraintCheck.GroupBy)
                .toArray(ConstraintCheck.GroupBy[]::new);

        int fixed = 0;
        for (PortDefinition p : request.ports()) {
            if (p.port() != 0) {
                fixed++;
            }
        }
        this.fixedPorts = new int[fixed];
        this.fixedPortReasons = new String[fixed];
        int i = 0;
        for (PortDefinition p : request.ports()) {
            if (p.port() != 0) {
                fixedPorts[i] = p.port();
                fixedPortReasons[i] = "host port " + p.port() + " unavailable";
                i++;
            }
        }
        this.dynamicPorts = request.ports().size() - fixed;

        this.volumeProviders = request.volumeProviders().stream().sorted().toArray(String[]::new);
        this.volumeProviderReasons = new String[volumeProviders.length];
        for (int p = 0; p < volumeProviders.length; p++) {
            volumeProviderReasons[p] = VolumeProviderFilter.reason(volumeProviders[p]);
        }
        this.pinnedReason = request.pinnedNodeId() == null ? null
                : "local volume on node " + request.pinnedNodeId();
        // Built only for the (few) apps that name a user: the plain task pays nothing here.
        this.userReason = request.user() == null ? null : UserFilter.reason(request.user());
        this.ownRootRequired = request.needsOwnRoot();
    }

    /** Prepares {@code request} for placement on {@code cluster} as it is now. */
    public static TaskContext of(TaskRequest request, PlacementStrategy clusterDefault, Cluster cluster) {
        return new TaskContext(request, request.strategy() != null ? request.strategy() : clusterDefault, cluster,
                new ConstraintCache());
    }

    public TaskRequest request() {
        return request;
    }

    /** The request's strategy, or the cluster default when it named none. */
    public PlacementStrategy strategy() {
        return strategy;
    }

    /** Instances of the task's app placed so far (on any node). */
    public int appInstances() {
        return app == null ? 0 : app.instances;
    }

    /** The app's instances per value of {@code field}. */
    ValueCounts counts(String field) {
        return app == null ? ValueCounts.EMPTY : app.counts(field);
    }
}
