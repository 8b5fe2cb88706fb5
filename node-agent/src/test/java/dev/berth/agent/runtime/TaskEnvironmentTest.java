package dev.berth.agent.runtime;

import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TaskEnvironmentTest {
    private static final Map<String, String> AGENT_ENV = Map.of(
            "PATH", "/opt/bin:/usr/bin", "LANG", "C.UTF-8",
            "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "BERTH_AGENT_NODE_ID", "n1", "SOME_TOKEN", "secret");

    @Test
    void namesEveryPortByIndexAndByNameAsMarathonDoes() {
        // Given a task with a named and an unnamed port
        TaskSpec spec = spec(Map.of(), List.of(new PortAssignment("admin-ui", 31005), new PortAssignment(null, 31006)));

        // When its environment is built
        Map<String, String> env = TaskEnvironment.of("t.1", "/a/b", spec, "10.0.0.5", Path.of("/sb/t.1"), AGENT_ENV);

        // Then each port is there by index, the first also as PORT, all in PORTS, named ones by name
        assertEquals("31005", env.get("PORT0"));
        assertEquals("31006", env.get("PORT1"));
        assertEquals("31005", env.get("PORT"));
        assertEquals("31005,31006", env.get("PORTS"));
        assertEquals("31005", env.get("PORT_ADMIN_UI"));
        assertFalse(env.containsKey("PORT_NULL"));
    }

    @Test
    void tellsTheTaskWhoAndWhereItIsUnderBerthsAndMarathonsNames() {
        Map<String, String> env = TaskEnvironment.of("t.1", "/a/b", spec(Map.of(), List.of()), "10.0.0.5",
                Path.of("/sb/t.1"), AGENT_ENV);

        assertEquals("10.0.0.5", env.get("HOST"));
        assertEquals("t.1", env.get("BERTH_TASK_ID"));
        assertEquals("t.1", env.get("MESOS_TASK_ID"));
        assertEquals("/a/b", env.get("BERTH_APP_ID"));
        assertEquals("/a/b", env.get("MARATHON_APP_ID"));
        assertEquals("/sb/t.1", env.get("BERTH_SANDBOX"));
        assertEquals("/sb/t.1", env.get("MESOS_SANDBOX"));
    }

    @Test
    void berthsValuesWinOverTheAppsAndTheAppsOverTheAgents() {
        TaskSpec spec = spec(Map.of("PORT0", "1", "MINE", "kept", "LANG", "de_DE.UTF-8"),
                List.of(new PortAssignment("http", 31005)));

        Map<String, String> env = TaskEnvironment.of("t", "/a", spec, "h", Path.of("/s"), AGENT_ENV);

        assertEquals("31005", env.get("PORT0"));
        assertEquals("kept", env.get("MINE"));
        assertEquals("de_DE.UTF-8", env.get("LANG"));
    }

    @Test
    void inheritsOnlyNeutralVariablesFromTheAgentNeverItsConfigurationOrSecrets() {
        Map<String, String> env = TaskEnvironment.of("t", "/a", spec(Map.of(), List.of()), "h", Path.of("/s"),
                AGENT_ENV);

        assertEquals("/opt/bin:/usr/bin", env.get("PATH"));
        assertEquals("C.UTF-8", env.get("LANG"));
        assertFalse(env.containsKey("KAFKA_BOOTSTRAP_SERVERS"));
        assertFalse(env.containsKey("BERTH_AGENT_NODE_ID"));
        assertFalse(env.containsKey("SOME_TOKEN"));
    }

    @Test
    void givesAPathEvenWhenTheAgentHasNone() {
        Map<String, String> env = TaskEnvironment.of("t", "/a", spec(Map.of(), List.of()), "h", Path.of("/s"), Map.of());

        assertEquals("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env.get("PATH"));
    }

    @Test
    void aTaskWithoutPortsGetsAnEmptyPortListAndNoPort() {
        Map<String, String> env = TaskEnvironment.of("t", "/a", new TaskSpec("x", null, null, null, 1, 1, 0, null),
                "h", Path.of("/s"), AGENT_ENV);

        assertEquals("", env.get("PORTS"));
        assertFalse(env.containsKey("PORT"));
        assertFalse(env.containsKey("PORT0"));
    }

    private static TaskSpec spec(Map<String, String> env, List<PortAssignment> ports) {
        return new TaskSpec("x", null, env, Map.of(), 1, 1, 0, ports);
    }
}
