package dev.berth.contracts.messages;

/** An amount of node resources: cpus (cores, fractional), mem and disk in MiB. */
public record NodeResources(double cpus, double mem, double disk) {
    public static final NodeResources NONE = new NodeResources(0, 0, 0);

    public NodeResources plus(NodeResources other) {
        return new NodeResources(cpus + other.cpus, mem + other.mem, disk + other.disk);
    }

    public NodeResources minus(NodeResources other) {
        return new NodeResources(cpus - other.cpus, mem - other.mem, disk - other.disk);
    }

    /** True when {@code wanted} fits in what this amount leaves. A small epsilon absorbs float sums. */
    public boolean fits(NodeResources wanted) {
        return wanted.cpus <= cpus + 1e-9 && wanted.mem <= mem + 1e-9 && wanted.disk <= disk + 1e-9;
    }
}
