package dev.berth.agent.cgroups;

/**
 * What a task may use.
 *
 * @param cpus      cores: both the task's weight against others when the node is busy and a hard quota
 * @param memBytes  memory, swap included (0: no limit)
 * @param pidsLimit processes and threads at once (0: no limit)
 */
public record CgroupLimits(double cpus, long memBytes, int pidsLimit) {
    /** The CFS period the quota is measured in; 100 ms is the kernel's default. */
    public static final long CPU_PERIOD_MICROS = 100_000;

    /** Microseconds of cpu per period; at least 1 ms, the smallest quota the kernel accepts. */
    public long cpuQuotaMicros() {
        return Math.max(1000, Math.round(cpus * CPU_PERIOD_MICROS));
    }

    /** v1's {@code cpu.shares}: 1024 per core, as Mesos and Docker do. */
    public long cpuShares() {
        return Math.max(2, Math.round(cpus * 1024));
    }

    /** v2's {@code cpu.weight} (1–10000) for the same shares, by the kernel's own conversion. */
    public long cpuWeight() {
        return Math.min(10_000, Math.max(1, 1 + ((cpuShares() - 2) * 9999) / 262_142));
    }
}
