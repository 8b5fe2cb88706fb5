package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How an app's tasks are fenced off beyond their cpus and mem (Berth's addition; Marathon has no such
 * field). Every part is optional: {@code {"isolation": {"pidsLimit": 256}}}.
 *
 * @param network     HOST (the default: the task shares the node's network, so its host ports work),
 *                    BRIDGE (a network namespace of its own on the node's bridge, reached through its
 *                    port mappings; Marathon's {@code networks: [{"mode": "container/bridge"}]}) or NONE
 *                    (a network namespace of its own with only a loopback device; Marathon's
 *                    {@code {"mode": "container"}})
 * @param pidsLimit   most processes and threads the task may have at once; null means the node's default
 * @param enforceDisk kill the task (FAILED, {@code DISK_LIMIT_EXCEEDED}) when its sandbox grows past
 *                    {@code disk}; when false the excess is only reported
 * @param filesystem  REQUIRED: run only on nodes that give each task its own root file system, and wait
 *                    (with the reason shown) where none does; OPTIONAL (the default): an own root wherever
 *                    the node can give one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Isolation(Network network, Integer pidsLimit, boolean enforceDisk, Filesystem filesystem) {
    public static final Isolation DEFAULT = new Isolation(Network.HOST, null, false, Filesystem.OPTIONAL);
    /**
     * The node attribute in which an agent says whether it can run BRIDGE tasks ({@code "true"} or
     * {@code "false"}); the scheduler places them only where it is {@code "true"}.
     */
    public static final String BRIDGE_ATTRIBUTE = "bridge";

    public enum Network { HOST, BRIDGE, NONE }

    public enum Filesystem { OPTIONAL, REQUIRED }

    public Isolation {
        network = network == null ? Network.HOST : network;
        filesystem = filesystem == null ? Filesystem.OPTIONAL : filesystem;
    }

    /** Isolation without a say on the file system (an own root where the node can). */
    public Isolation(Network network, Integer pidsLimit, boolean enforceDisk) {
        this(network, pidsLimit, enforceDisk, Filesystem.OPTIONAL);
    }

    /** The same isolation with another say on the file system. */
    public Isolation withFilesystem(Filesystem newFilesystem) {
        return new Isolation(network, pidsLimit, enforceDisk, newFilesystem);
    }

    /** True when the task has a network namespace of its own (BRIDGE or NONE). */
    public boolean privateNetwork() {
        return network != Network.HOST;
    }
}
