package dev.berth.contracts.messages;

import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to run one task, resolved by the scheduler from the app definition:
 * the command (a shell {@code cmd}, or {@code args} executed directly), environment, labels,
 * resources and the host ports assigned to it.
 */
public record TaskSpec(String cmd, List<String> args, Map<String, String> env, Map<String, String> labels,
                       double cpus, double mem, double disk, List<PortAssignment> ports) {

    public TaskSpec {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }
}
