package dev.berth.agent.network;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One bridged task's network, as the agent writes it down before making any of it (so that whatever a
 * crash leaves half made is found and removed): its address on the bridge, its named network namespace,
 * the host end of its veth pair, and the host ports forwarded into it.
 *
 * @param task     the task's sandbox name (unique on the node; what its checkpoint and cgroup are named)
 * @param netns    the name of its network namespace ({@code /run/netns/<netns>}): named, so it outlives
 *                 the agent process and the next one finds it
 * @param hostVeth the host end of its veth pair, on the bridge; its other end is {@code eth0} inside
 */
public record TaskNetwork(String task, String address, String netns, String hostVeth, List<PortForward> forwards) {
    /** Linux allows 15 characters in an interface name. */
    static final int MAX_INTERFACE_NAME = 15;

    public TaskNetwork {
        forwards = forwards == null ? List.of() : List.copyOf(forwards);
    }

    /** A host port forwarded to a port inside the task's namespace. */
    public record PortForward(String protocol, int hostPort, int containerPort) {
    }

    /** The path tasks and commands join it by: {@code nsenter --net=<path>}. */
    public String netnsPath() {
        return "/run/netns/" + netns;
    }

    /**
     * Names derived from the bridge and the task, so two tasks (or two agents' tasks, on their own bridges)
     * never share one: the namespace readable ({@code <prefix><task>}), the veth ends a hash of both, as
     * interface names are at most 15 characters.
     */
    static String netnsName(String prefix, String task) {
        String name = prefix + task;
        // A name is a file under /run/netns: keep it a plain, bounded file name whatever the task id holds.
        name = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return name.length() > 200 ? name.substring(0, 160) + "-" + hash(name, 16) : name;
    }

    /** {@code vb<hash>}: the host end. */
    static String hostVethName(String bridge, String task) {
        return "vb" + hash(bridge + "/" + task, MAX_INTERFACE_NAME - 3);
    }

    /** {@code vp<hash>}: the task's end until it is moved into the namespace and renamed {@code eth0}. */
    static String peerVethName(String bridge, String task) {
        return "vp" + hash(bridge + "/" + task, MAX_INTERFACE_NAME - 3);
    }

    private static String hash(String text, int length) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
