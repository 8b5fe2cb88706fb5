package dev.berth.agent.node;

import dev.berth.agent.AgentConfig;
import dev.berth.contracts.messages.PortRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeProfilesTest {

    @Test
    void readsAPortRangeAndASinglePort() {
        assertEquals(new PortRange(31000, 31999), NodeProfiles.parsePorts("31000-31999"));
        assertEquals(new PortRange(8080, 8080), NodeProfiles.parsePorts(" 8080 "));
    }

    @Test
    void refusesAPortRangeThatIsBackwardsOutOfBoundsOrNotNumbers() {
        assertThrows(IllegalArgumentException.class, () -> NodeProfiles.parsePorts("32000-31000"));
        assertThrows(IllegalArgumentException.class, () -> NodeProfiles.parsePorts("0-10"));
        assertThrows(IllegalArgumentException.class, () -> NodeProfiles.parsePorts("60000-70000"));
        assertThrows(IllegalArgumentException.class, () -> NodeProfiles.parsePorts("a-b"));
    }

    @Test
    void readsAttributesInOrderAndSkipsBlanks() {
        assertEquals(Map.of("zone", "a", "rack", "r1"), NodeProfiles.parseAttributes("zone=a, rack=r1,"));
        assertEquals(Map.of(), NodeProfiles.parseAttributes(""));
        assertThrows(IllegalArgumentException.class, () -> NodeProfiles.parseAttributes("zone"));
    }

    @Test
    void usesWhatIsConfiguredAndTheActualHttpPortInTheAgentUrl() {
        NodeProfile profile = NodeProfiles.from(config(Optional.of("n7"), Optional.of(2.0)), "best-effort", 8097);

        assertEquals("n7", profile.nodeId());
        assertEquals(2.0, profile.capacity().cpus());
        assertEquals("http://10.0.0.7:8097", profile.agentUrl());
        assertEquals("best-effort", profile.isolation());
        assertEquals(Map.of("zone", "b"), profile.attributes());
        assertEquals(List.of("t1"), profile.heartbeat(List.of("t1"), Map.of()).runningTaskIds());
    }

    @Test
    void fillsWhatIsNotConfiguredFromTheMachine() {
        NodeProfile profile = NodeProfiles.from(config(Optional.empty(), Optional.empty()), "best-effort", 8090);

        assertEquals(profile.hostname(), profile.nodeId());
        assertEquals(Runtime.getRuntime().availableProcessors(), profile.capacity().cpus());
        assertTrue(profile.capacity().mem() > 0);
        assertTrue(profile.capacity().disk() > 0);
    }

    @Test
    void bracketsAnIpv6HostInTheAgentUrl() {
        assertEquals("http://[::1]:8090", NodeProfiles.agentUrl("::1", 8090));
    }

    private static AgentConfig config(Optional<String> nodeId, Optional<Double> cpus) {
        return new AgentConfig() {
            public Optional<String> nodeId() { return nodeId; }
            public Optional<String> hostname() { return Optional.empty(); }
            public String host() { return "10.0.0.7"; }
            public String workDir() { return "target/node-profiles-test"; }
            public Optional<Double> cpus() { return cpus; }
            public Optional<Double> mem() { return Optional.empty(); }
            public Optional<Double> disk() { return Optional.empty(); }
            public String ports() { return "31000-31999"; }
            public Optional<String> attributes() { return Optional.of("zone=b"); }
            public Duration heartbeatInterval() { return Duration.ofSeconds(1); }
            public short topicReplicationFactor() { return 1; }
            public String isolation() { return "auto"; }
            public String cgroupRoot() { return "/sys/fs/cgroup"; }
            public String cgroupParent() { return "berth"; }
            public int pidsLimit() { return 1024; }
            public long logMaxBytes() { return 1024; }
            public int logRotations() { return 1; }
            public Duration usageInterval() { return Duration.ofSeconds(5); }
            public Duration sandboxRetention() { return Duration.ofHours(24); }
            public int sandboxesKept() { return 1000; }
            public Duration sweepInterval() { return Duration.ofSeconds(30); }
            public Optional<String> volumeRoot() { return Optional.empty(); }
            public String localVolumeFormat() { return "directory"; }
            public Optional<String> sharedVolumeRoot() { return Optional.empty(); }
            public Duration volumeLease() { return Duration.ofSeconds(4); }
            public String filesystem() { return "auto"; }
            public Optional<String> chrootEnv() { return Optional.empty(); }
            public Optional<String> taskEtc() { return Optional.empty(); }
            public String defaultUser() { return "nobody"; }
            public Optional<String> allowedUsers() { return Optional.empty(); }
            public String bridgeName() { return "none"; }
            public String bridgeSubnet() { return "10.213.0.0/22"; }
            public Optional<String> registryAuthFile() { return Optional.empty(); }
            public Optional<String> insecureRegistries() { return Optional.empty(); }
            public long imageCacheMib() { return 10240; }
        };
    }
}
