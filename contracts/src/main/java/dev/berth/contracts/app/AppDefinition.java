package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * An app as Berth runs it, in Marathon's field names so that a DC/OS app definition reads the
 * same here. Instances are built only by {@link AppDefinitionParser}, which fills Marathon's
 * defaults and rejects what Berth cannot run, so every AppDefinition in a message is valid.
 *
 * @param id              absolute path id, e.g. {@code /team-a/web}
 * @param cmd             run by {@code /bin/sh -c}; exactly one of cmd and args is set
 * @param args            executed directly, first element is the program
 * @param instances       how many copies should run
 * @param cpus            cores per instance (fractional)
 * @param mem             MiB of memory per instance
 * @param disk            MiB of sandbox disk per instance
 * @param portDefinitions host ports per instance; port 0 means "any free one"
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppDefinition(String id, String cmd, List<String> args, int instances, double cpus, double mem,
                            double disk, Map<String, String> env, Map<String, String> labels,
                            List<PortDefinition> portDefinitions, Container container) {

    public AppDefinition {
        args = args == null ? null : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        portDefinitions = portDefinitions == null ? List.of() : List.copyOf(portDefinitions);
        container = container == null ? Container.MESOS : container;
    }

    /** The team an app belongs to: the first segment of its id ({@code /team-a/web} → {@code team-a}). */
    public String team() {
        return AppIds.team(id);
    }
}
