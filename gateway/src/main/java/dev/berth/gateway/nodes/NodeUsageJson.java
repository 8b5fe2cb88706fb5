package dev.berth.gateway.nodes;

import dev.berth.contracts.messages.TaskUsage;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a node's tasks use, as its agent last measured it: each running task's figures and their sum.
 * Unlike {@code allocated} (what the scheduler set aside, by the apps' definitions) these are
 * measurements, in the agent's units: cpu seconds consumed so far, bytes of memory and of sandbox.
 */
public record NodeUsageJson(Total total, Map<String, TaskUsage> tasks) {

    /** The sum over the node's tasks; memory and cpu are 0 on a best-effort node, which cannot measure them. */
    public record Total(double cpuSeconds, long memBytes, long diskBytes) {
    }

    public static NodeUsageJson of(Map<String, TaskUsage> usage) {
        double cpuSeconds = 0;
        long memBytes = 0;
        long diskBytes = 0;
        for (TaskUsage u : usage.values()) {
            cpuSeconds += u.cpuSeconds();
            memBytes += u.memBytes();
            diskBytes += u.diskBytes();
        }
        // Sorted by task id, so the answer reads the same on every request.
        return new NodeUsageJson(new Total(cpuSeconds, memBytes, diskBytes), new TreeMap<>(usage));
    }
}
