package dev.berth.contracts.messages;

/**
 * What one task actually uses, as its agent measured it (from the task's cgroup where the node
 * isolates with cgroups; memory and cpu are 0 on a best-effort node, which cannot tell).
 *
 * @param cpuSeconds   cpu time used since the start, all processes of the task together
 * @param memBytes     memory charged to the task now
 * @param diskBytes    size of its sandbox
 * @param diskExceeded the sandbox is larger than the app's {@code disk} allowance
 */
public record TaskUsage(double cpuSeconds, long memBytes, long diskBytes, boolean diskExceeded) {
}
