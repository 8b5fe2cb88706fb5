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
    @Test
    void namesEveryPortByIndexAndByNameAndBerthsValuesWinOverTheApps() {
        TaskSpec spec = new TaskSpec("x", null, Map.of("PORT0", "1", "MINE", "kept"), Map.of(), 1, 1, 0,
                List.of(new PortAssignment("admin-ui", 31005), new PortAssignment(null, 31006)));

        Map<String, String> env = TaskEnvironment.of("t.1", "/a/b", spec, "10.0.0.5", Path.of("/sb/t.1"));

        assertEquals("31005", env.get("PORT0"));
        assertEquals("31006", env.get("PORT1"));
        assertEquals("31005", env.get("PORT"));
        assertEquals("31005,31006", env.get("PORTS"));
        assertEquals("31005", env.get("PORT_ADMIN_UI"));
        assertEquals("kept", env.get("MINE"));
        assertEquals("10.0.0.5", env.get("HOST"));
        assertEquals("/a/b", env.get("MARATHON_APP_ID"));
        assertEquals("/sb/t.1", env.get("MESOS_SANDBOX"));
    }

    @Test
    void aTaskWithoutPortsGetsAnEmptyPortList() {
        Map<String, String> env = TaskEnvironment.of("t", "/a", new TaskSpec("x", null, null, null, 1, 1, 0, null),
                "h", Path.of("/s"));
        assertEquals("", env.get("PORTS"));
        assertFalse(env.containsKey("PORT"));
    }
}
