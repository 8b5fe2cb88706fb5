package dev.berth.agent.node;

import dev.berth.agent.AgentConfig;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the node's profile from configuration, filling what is not configured from the machine. */
public final class NodeProfiles {
    private static final double MIB = 1024 * 1024;

    private NodeProfiles() {
    }

    /**
     * @param isolation what the task runtime gives ({@code best-effort} for plain processes)
     * @param httpPort  the port the agent's HTTP server actually listens on
     */
    public static NodeProfile from(AgentConfig config, String isolation, int httpPort) {
        return from(config, isolation, httpPort, NodeVolumes.NONE);
    }

    /** @param volumes the volume providers it serves and its lease */
    public static NodeProfile from(AgentConfig config, String isolation, int httpPort, NodeVolumes volumes) {
        return from(config, isolation, httpPort, volumes, NodeConfinement.NONE);
    }

    /** @param confinement whether tasks get their own root, and who they may run as */
    public static NodeProfile from(AgentConfig config, String isolation, int httpPort, NodeVolumes volumes,
                                   NodeConfinement confinement) {
        String machineName = machineHostname();
        Path workDir = Path.of(config.workDir()).toAbsolutePath();
        NodeResources capacity = new NodeResources(
                config.cpus().orElse((double) Runtime.getRuntime().availableProcessors()),
                config.mem().orElseGet(NodeProfiles::physicalMemoryMib),
                config.disk().orElseGet(() -> freeDiskMib(workDir)));
        return new NodeProfile(config.nodeId().orElse(machineName), config.hostname().orElse(machineName),
                config.host(), capacity, parsePorts(config.ports()), parseAttributes(config.attributes().orElse("")),
                isolation, agentUrl(config.host(), httpPort), volumes, confinement);
    }

    /** The node's id: configured, or the machine's hostname. */
    public static String nodeId(AgentConfig config) {
        return config.nodeId().orElseGet(NodeProfiles::machineHostname);
    }

    /** {@code http://host:port}, with brackets around an IPv6 address. */
    static String agentUrl(String host, int port) {
        return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code "31000-31999"} → the inclusive range; a single number is a range of one. */
    public static PortRange parsePorts(String text) {
        String[] parts = text.trim().split("-", 2);
        try {
            int begin = Integer.parseInt(parts[0].trim());
            int end = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : begin;
            if (begin < 1 || end > 65535 || end < begin) {
                throw new IllegalArgumentException("berth.agent.ports must be a range within 1-65535, was " + text);
            }
            return new PortRange(begin, end);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("berth.agent.ports must look like 31000-31999, was " + text, e);
        }
    }

    /** {@code "zone=a,rack=r1"} → {zone=a, rack=r1}; blanks are skipped. */
    public static Map<String, String> parseAttributes(String text) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("berth.agent.attributes must look like zone=a,rack=r1, was " + text);
            }
            attributes.put(kv[0].trim(), kv[1].trim());
        }
        return attributes;
    }

    private static String machineHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static double physicalMemoryMib() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return Math.floor(sun.getTotalMemorySize() / MIB);
        }
        return 1024;
    }

    private static double freeDiskMib(Path workDir) {
        try {
            Files.createDirectories(workDir);
            return Math.floor(Files.getFileStore(workDir).getUsableSpace() / MIB);
        } catch (IOException e) {
            return 0;
        }
    }
}
