package dev.berth.agent.runtime;

import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The environment a task sees, in three layers, later ones winning:
 * <ol>
 *   <li>a few neutral variables of the agent's own environment ({@link #INHERITED}): enough for a
 *       shell to find programs and speak the host's locale, and nothing else, because the agent's
 *       environment holds its own configuration and possibly credentials (Kafka, OIDC); for a task that
 *       runs an image, the image's own {@code Env} instead;</li>
 *   <li>the app's {@code env};</li>
 *   <li>what Berth tells the task (ports, host, ids, sandbox) under Berth's names and under
 *       Marathon's, so commands written for Marathon run unchanged. These win over the app's own:
 *       a task must not be able to lie to itself about its port. On a bridge network the ports are
 *       still the host ports (Marathon's rule), and {@code PORT_<containerPort>} names the host port
 *       each container port is reached by.</li>
 * </ol>
 */
public final class TaskEnvironment {
    /** The agent's variables a task inherits (when set). */
    public static final Set<String> INHERITED = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG",
            "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "JAVA_HOME");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private TaskEnvironment() {
    }

    /** The task's environment, inheriting from this agent's process environment. */
    public static Map<String, String> of(String taskId, String appId, TaskSpec spec, String host, Path sandbox) {
        return of(taskId, appId, spec, host, sandbox, System.getenv());
    }

    public static Map<String, String> of(String taskId, String appId, TaskSpec spec, String host, Path sandbox,
                                         Map<String, String> agentEnvironment) {
        Map<String, String> env = new LinkedHashMap<>();
        agentEnvironment.forEach((name, value) -> {
            if (INHERITED.contains(name)) {
                env.put(name, value);
            }
        });
        return over(env, taskId, appId, spec, host, sandbox);
    }

    /**
     * The environment of a task that runs an image: the image's {@code Env} in place of the agent's
     * variables (its {@code PATH} is the one that finds the image's programs), then as {@link #of}.
     */
    public static Map<String, String> forImage(String taskId, String appId, TaskSpec spec, String host, Path sandbox,
                                               Map<String, String> imageEnvironment) {
        return over(new LinkedHashMap<>(imageEnvironment), taskId, appId, spec, host, sandbox);
    }

    /** The app's and Berth's layers over {@code env}, the first layer. */
    private static Map<String, String> over(Map<String, String> env, String taskId, String appId, TaskSpec spec,
                                            String host, Path sandbox) {
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.putAll(spec.env());
        // Only the runtime marks a task as its agent's (AgentMark): an app wearing another agent's mark could
        // have that agent's sweep take its processes for strays.
        env.remove(AgentMark.VARIABLE);

        List<PortAssignment> ports = spec.ports();
        // Marathon's bridge semantics: PORTn and PORT_<NAME> are host ports, and PORT_<containerPort> is the
        // host port a container port is reached by. Numbers first, so a port named "8080" wins, as there.
        for (PortAssignment port : ports) {
            if (port.containerPort() != null) {
                env.put("PORT_" + port.containerPort(), Integer.toString(port.port()));
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            PortAssignment port = ports.get(i);
            env.put("PORT" + i, Integer.toString(port.port()));
            if (port.name() != null && !port.name().isBlank()) {
                env.put("PORT_" + envName(port.name()), Integer.toString(port.port()));
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
        env.put("MESOS_SANDBOX", sandbox.toString());
        env.put("MARATHON_APP_ID", appId);
        return env;
    }

    /** A port name as a variable name, Marathon's way: {@code admin-ui} → {@code ADMIN_UI}. */
    static String envName(String portName) {
        return portName.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
