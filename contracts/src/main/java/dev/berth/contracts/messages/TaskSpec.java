package dev.berth.contracts.messages;

import dev.berth.contracts.app.ContainerImage;
import dev.berth.contracts.app.HealthCheck;
import dev.berth.contracts.app.Isolation;

import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to run one task, resolved by the scheduler from the app definition:
 * the command (a shell {@code cmd}, or {@code args} executed directly), environment, labels,
 * resources and the host ports assigned to it; the user it runs as, its health checks and how it is
 * isolated; the volumes to mount into it (attached, with their epochs).
 *
 * <p>{@code user} is the app's {@code user}, which the scheduler has placed only on a node that allows it
 * ({@link NodeConfinement#allows}). <b>Null means the node's default user</b>
 * ({@link NodeConfinement#defaultUser()}, {@code nobody} unless the node's operator chose another), never
 * the agent's own user: tasks do not run as root unless an app names {@code root} and the node allows it.
 * (Before issue 13 null meant the agent's own user; an agent that still reads it so runs such tasks as
 * itself.)
 *
 * <p>{@code image}, when present, is the image the task runs from (its root file system, and its
 * entrypoint, command, environment, working directory and user where the app does not say otherwise);
 * then {@code cmd} and {@code args} may both be absent. An agent that does not know images would
 * run the command on the node: the scheduler sends image tasks only to nodes that give tasks their own
 * root, which every agent that reports one also runs images on.
 */
public record TaskSpec(String cmd, List<String> args, Map<String, String> env, Map<String, String> labels,
                       double cpus, double mem, double disk, List<PortAssignment> ports, String user,
                       List<HealthCheck> healthChecks, Isolation isolation, List<VolumeMount> volumes,
                       ContainerImage image) {

    public TaskSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        ports = ports == null ? List.of() : List.copyOf(ports);
        healthChecks = healthChecks == null ? List.of() : List.copyOf(healthChecks);
        isolation = isolation == null ? Isolation.DEFAULT : isolation;
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    /** A task that runs a command on the node's own files, without an image. */
    public TaskSpec(String cmd, List<String> args, Map<String, String> env, Map<String, String> labels,
                    double cpus, double mem, double disk, List<PortAssignment> ports, String user,
                    List<HealthCheck> healthChecks, Isolation isolation, List<VolumeMount> volumes) {
        this(cmd, args, env, labels, cpus, mem, disk, ports, user, healthChecks, isolation, volumes, null);
    }

    /** A task without volumes. */
    public TaskSpec(String cmd, List<String> args, Map<String, String> env, Map<String, String> labels,
                    double cpus, double mem, double disk, List<PortAssignment> ports, String user,
                    List<HealthCheck> healthChecks, Isolation isolation) {
        this(cmd, args, env, labels, cpus, mem, disk, ports, user, healthChecks, isolation, List.of());
    }

    /** A task as the node's default user, without health checks, isolated the default way. */
    public TaskSpec(String cmd, List<String> args, Map<String, String> env, Map<String, String> labels,
                    double cpus, double mem, double disk, List<PortAssignment> ports) {
        this(cmd, args, env, labels, cpus, mem, disk, ports, null, List.of(), Isolation.DEFAULT, List.of());
    }
}
