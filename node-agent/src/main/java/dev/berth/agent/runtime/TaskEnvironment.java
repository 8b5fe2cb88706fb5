package dev.berth.agent.runtime;

import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The environment a task sees: the app's own variables, then what Berth tells it (ports, host,
 * ids, sandbox) under Berth's names and Marathon's, so commands written for Marathon work as they are.
 * Berth's variables win over the app's: a task must not be able to lie to itself about its port.
 */
public final class TaskEnvironment {
    private TaskEnvironment() {
    }

    public static Map<String, String> of(String taskId, String appId, TaskSpec spec, String host, Path sandbox) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        List<PortAssignment> ports = spec.ports();
        for (int i = 0; i < ports.size(); i++) {
            PortAssignment port = ports.get(i);
            env.put("PORT" + i, Integer.toString(port.port()));
            if (port.name() != null && !port.name().isBlank()) {
                env.put("PORT_" + port.name().toUpperCase(Locale.ROOT).replace('-', '_'), Integer.toString(port.port()));
            }
        }
        if (!ports.isEmpty()) {
            env.put("PORT", Integer.toString(ports.get(0).port()));
        }
        env.put("PORTS", ports.stream().map(p -> Integer.toString(p.port())).collect(Collectors.joining(",")));
        env.put("HOST", host);
        env.put("BERTH_TASK_ID", taskId);
        env.put("BERTH_APP_ID", appId);
        env.put("BERTH_SANDBOX", sandbox.toString());
        env.put("MESOS_TASK_ID", taskId);
        env.put("MARATHON_APP_ID", appId);
        env.put("MESOS_SANDBOX", sandbox.toString());
        return env;
    }
}
