package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * An app as Berth runs it, in Marathon's field names so that a DC/OS app definition reads the
 * same here. Instances are built only by {@link AppDefinitionParser}, which fills Marathon's
 * defaults and rejects what Berth cannot run, so every AppDefinition in a message is valid.
 *
 * @param id                         absolute path id, e.g. {@code /team-a/web}
 * @param cmd                        run by {@code /bin/sh -c}; exactly one of cmd and args is set
 * @param args                       executed directly, first element is the program
 * @param instances                  how many copies should run
 * @param cpus                       cores per instance (fractional)
 * @param mem                        MiB of memory per instance
 * @param disk                       MiB of sandbox disk per instance
 * @param portDefinitions            host ports per instance; port 0 means "any free one"
 * @param constraints                hard placement rules, Marathon's {@code [field, operator, value]}
 * @param affinity                   soft placement preferences (Berth's addition)
 * @param placementStrategy          BINPACK or SPREAD; null means the scheduler's cluster-wide default
 * @param backoffSeconds             delay before the first relaunch of a failed instance
 * @param backoffFactor              each further failure multiplies the delay by this
 * @param maxLaunchDelaySeconds      the delay never grows past this
 * @param taskKillGracePeriodSeconds SIGTERM → SIGKILL delay when a task is stopped
 * @param killSelection              which instances a scale-down stops first
 * @param healthChecks               run by the agent next to each task; failing ones get it replaced
 * @param user                       the unprivileged user tasks run as; null means the agent's own
 * @param isolation                  network namespace, pids limit and disk enforcement (Berth's addition)
 * @param unreachableStrategy        what becomes of an instance whose local volume's node is lost
 * @param upgradeStrategy            how a change of this definition is rolled out (a deployment); absent
 *                                   in JSON means Marathon's default for the kind of app (see
 *                                   {@link UpgradeStrategy#defaultFor})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppDefinition(String id, String cmd, List<String> args, int instances, double cpus, double mem,
                            double disk, Map<String, String> env, Map<String, String> labels,
                            List<PortDefinition> portDefinitions, Container container,
                            List<Constraint> constraints, List<Affinity> affinity,
                            PlacementStrategy placementStrategy, double backoffSeconds, double backoffFactor,
                            double maxLaunchDelaySeconds, int taskKillGracePeriodSeconds,
                            KillSelection killSelection, List<HealthCheck> healthChecks, String user,
                            Isolation isolation, UnreachableStrategy unreachableStrategy,
                            UpgradeStrategy upgradeStrategy) {

    public static final double DEFAULT_BACKOFF_SECONDS = 1;
    public static final double DEFAULT_BACKOFF_FACTOR = 1.15;
    public static final double DEFAULT_MAX_LAUNCH_DELAY_SECONDS = 300;
    public static final int DEFAULT_KILL_GRACE_PERIOD_SECONDS = 3;

    public AppDefinition {
        args = args == null ? null : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        portDefinitions = portDefinitions == null ? List.of() : List.copyOf(portDefinitions);
        container = container == null ? Container.MESOS : container;
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        affinity = affinity == null ? List.of() : List.copyOf(affinity);
        killSelection = killSelection == null ? KillSelection.YOUNGEST_FIRST : killSelection;
        healthChecks = healthChecks == null ? List.of() : List.copyOf(healthChecks);
        isolation = isolation == null ? Isolation.DEFAULT : isolation;
        unreachableStrategy = unreachableStrategy == null ? UnreachableStrategy.KEEP_WAITING : unreachableStrategy;
        upgradeStrategy = upgradeStrategy == null ? UpgradeStrategy.defaultFor(!container.volumes().isEmpty())
                : upgradeStrategy;
    }

    /**
     * The shape before upgrade strategies existed (kept so that code building definitions that way
     * still compiles): the default strategy for the kind of app.
     */
    public AppDefinition(String id, String cmd, List<String> args, int instances, double cpus, double mem,
                         double disk, Map<String, String> env, Map<String, String> labels,
                         List<PortDefinition> portDefinitions, Container container,
                         List<Constraint> constraints, List<Affinity> affinity,
                         PlacementStrategy placementStrategy, double backoffSeconds, double backoffFactor,
                         double maxLaunchDelaySeconds, int taskKillGracePeriodSeconds,
                         KillSelection killSelection, List<HealthCheck> healthChecks, String user,
                         Isolation isolation, UnreachableStrategy unreachableStrategy) {
        this(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions, container, constraints,
                affinity, placementStrategy, backoffSeconds, backoffFactor, maxLaunchDelaySeconds,
                taskKillGracePeriodSeconds, killSelection, healthChecks, user, isolation, unreachableStrategy, null);
    }

    /** The walking skeleton's shape: Marathon's defaults for everything about placement and restarts. */
    public static AppDefinition basic(String id, String cmd, List<String> args, int instances, double cpus,
                                      double mem, double disk, Map<String, String> env, Map<String, String> labels,
                                      List<PortDefinition> portDefinitions) {
        return new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions,
                Container.MESOS, List.of(), List.of(), null, DEFAULT_BACKOFF_SECONDS, DEFAULT_BACKOFF_FACTOR,
                DEFAULT_MAX_LAUNCH_DELAY_SECONDS, DEFAULT_KILL_GRACE_PERIOD_SECONDS, KillSelection.YOUNGEST_FIRST,
                List.of(), null, Isolation.DEFAULT, UnreachableStrategy.KEEP_WAITING);
    }

    /** The same app with another instance count (a scale). */
    public AppDefinition withInstances(int newInstances) {
        return new AppDefinition(id, cmd, args, newInstances, cpus, mem, disk, env, labels, portDefinitions,
                container, constraints, affinity, placementStrategy, backoffSeconds, backoffFactor,
                maxLaunchDelaySeconds, taskKillGracePeriodSeconds, killSelection, healthChecks, user, isolation,
                unreachableStrategy, upgradeStrategy);
    }

    /** The same app with other placement rules (for tests and tools that build definitions in code). */
    public AppDefinition withPlacement(List<Constraint> newConstraints, List<Affinity> newAffinity,
                                       PlacementStrategy newStrategy) {
        return new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions,
                container, newConstraints, newAffinity, newStrategy, backoffSeconds, backoffFactor,
                maxLaunchDelaySeconds, taskKillGracePeriodSeconds, killSelection, healthChecks, user, isolation,
                unreachableStrategy, upgradeStrategy);
    }

    /** The same app with other health checks. */
    public AppDefinition withHealthChecks(List<HealthCheck> newHealthChecks) {
        return new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions,
                container, constraints, affinity, placementStrategy, backoffSeconds, backoffFactor,
                maxLaunchDelaySeconds, taskKillGracePeriodSeconds, killSelection, newHealthChecks, user, isolation,
                unreachableStrategy, upgradeStrategy);
    }

    /** The same app with other volumes (for tests and tools that build definitions in code). */
    public AppDefinition withVolumes(List<AppVolume> newVolumes) {
        return new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions,
                new Container(container.type(), newVolumes, container.portMappings(), container.docker()), constraints, affinity,
                placementStrategy, backoffSeconds, backoffFactor, maxLaunchDelaySeconds, taskKillGracePeriodSeconds, killSelection, healthChecks, user,
                isolation, unreachableStrategy,
                // A default strategy follows the kind of app (stateful ones never run extra instances).
                upgradeStrategy.equals(UpgradeStrategy.defaultFor(isStateful())) ? null : upgradeStrategy);
    }

    /** The same app with another unreachable strategy. */
    public AppDefinition withUnreachableStrategy(UnreachableStrategy newStrategy) {
        return new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions,
                container, constraints, affinity, placementStrategy, backoffSeconds, backoffFactor,
                maxLaunchDelaySeconds, taskKillGracePeriodSeconds, killSelection, healthChecks, user, isolation,
                newStrategy, upgradeStrategy);
    }

    /** The same app with another upgrade strategy. */
    public AppDefinition withUpgradeStrategy(UpgradeStrategy newStrategy) {
        return new AppDefinition(id, cmd, args, instances, cpus, mem, disk, env, labels, portDefinitions,
                container, constraints, affinity, placementStrategy, backoffSeconds, backoffFactor,
                maxLaunchDelaySeconds, taskKillGracePeriodSeconds, killSelection, healthChecks, user, isolation,
                unreachableStrategy, newStrategy);
    }

    /**
     * Whether tasks launched for {@code other} run the same as tasks of this definition would: equal
     * but for the instance count and the upgrade strategy, which change how many run and how a change
     * rolls out, not what each one runs. The scheduler replaces tasks only when this is false.
     */
    public boolean runsLike(AppDefinition other) {
        return other != null && other.withInstances(instances).withUpgradeStrategy(upgradeStrategy).equals(this);
    }

    /**
     * The host ports each instance needs, in order: its port definitions on the host network (or with
     * network NONE), the host side of its port mappings on a bridge network. This is what placement
     * assigns and checks; {@code PORT0…} in the task's environment follow this order.
     */
    public List<PortDefinition> hostPorts() {
        if (isolation.network() == Isolation.Network.BRIDGE) {
            return container.portMappings().stream().map(PortMapping::hostSide).toList();
        }
        return portDefinitions;
    }

    /**
     * For each of {@link #hostPorts()}, the port inside the task it is forwarded to (0: the same as the
     * host port); empty unless the app is on a bridge network.
     */
    public List<Integer> containerPorts() {
        if (isolation.network() != Isolation.Network.BRIDGE) {
            return List.of();
        }
        return container.portMappings().stream().map(PortMapping::containerPort).toList();
    }

    /** The app's persistent volumes (local and external); empty for a stateless app. */
    public List<AppVolume> volumes() {
        return container.volumes();
    }

    /**
     * An app with persistent volumes: its instances have stable identities ({@code db-0}, …) that
     * own their volumes for life.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isStateful() {
        return !container.volumes().isEmpty();
    }

    /** The team an app belongs to: the first segment of its id ({@code /team-a/web} → {@code team-a}). */
    public String team() {
        return AppIds.team(id);
    }
}
