package dev.berth.agent.volumes;

import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The node's volume drivers, and what a task's volumes need before its process starts: each volume
 * published by its driver, each external one claimed at its attachment's epoch (under a valid lease),
 * each mount point made. The binds themselves happen in the task's own mount namespace.
 */
public final class TaskVolumes {
    /** The reason (after {@code FENCED: }) of a task stopped, or refused, because the node's lease is over. */
    public static final String LEASE_EXPIRED = "lease expired (node cut off from the cluster or agent down)";

    private final Map<String, VolumeDriver> drivers = new LinkedHashMap<>();
    private final NodeLease lease;

    public TaskVolumes(List<VolumeDriver> drivers, NodeLease lease) {
        drivers.forEach(driver -> this.drivers.put(driver.name(), driver));
        this.lease = lease;
    }

    /** No drivers: a task with volumes is refused. */
    public static TaskVolumes none() {
        return new TaskVolumes(List.of(), null);
    }

    /**
     * {@code local} (directories) under {@code volumeRoot}, and {@code sharedfs} under {@code sharedRoot} when
     * there is one.
     */
    public static TaskVolumes of(Path volumeRoot, Optional<Path> sharedRoot, NodeLease lease) {
        return of(new LocalDriver(volumeRoot), sharedRoot, lease);
    }

    /** {@code local} as given, and {@code sharedfs} under {@code sharedRoot} when there is one. */
    public static TaskVolumes of(LocalDriver local, Optional<Path> sharedRoot, NodeLease lease) {
        List<VolumeDriver> drivers = new ArrayList<>();
        drivers.add(local);
        sharedRoot.ifPresent(root -> drivers.add(new SharedFsDriver(root)));
        return new TaskVolumes(drivers, lease);
    }

    public Optional<VolumeDriver> driver(String name) {
        return Optional.ofNullable(drivers.get(name));
    }

    public Optional<NodeLease> lease() {
        return Optional.ofNullable(lease);
    }

    /**
     * What the node reports: its providers only where it can mount into tasks (it has mount namespaces),
     * and its lease.
     */
    public NodeVolumes offer(boolean mountNamespaces) {
        long leaseMillis = lease == null ? 0 : lease.length().toMillis();
        return new NodeVolumes(mountNamespaces ? List.copyOf(drivers.keySet()) : List.of(), leaseMillis);
    }

    /**
     * Readies a task's volumes.
     *
     * @param sandboxDir the task's sandbox (relative container paths lie in it)
     * @param owner      the task's user, who gets its volumes and mount points; empty: the agent's user
     * @throws VolumeRefusedException {@code VOLUME_FAILED: …} when a volume cannot be published, {@code FENCED: …}
     *                                when an external one has seen a newer attachment or the node's lease is over
     */
    public PublishedVolumes publish(List<VolumeMount> mounts, Path sandboxDir, Optional<VolumeDriver.Owner> owner)
            throws VolumeRefusedException {
        return publish(mounts, sandboxDir, owner, true);
    }

    /**
     * @param absoluteOnHost make the mount points of absolute container paths on the host's file system (a
     *                       task that shares it); false for a task in its own root, where they are made
     */
    public PublishedVolumes publish(List<VolumeMount> mounts, Path sandboxDir, Optional<VolumeDriver.Owner> owner,
                                    boolean absoluteOnHost) throws VolumeRefusedException {
        if (mounts.isEmpty()) {
            return PublishedVolumes.NONE;
        }
        // Everything that can be refused without touching storage is, first.
        record Planned(VolumeMount mount, VolumeDriver driver, Path target) {
        }
        List<Planned> planned = new ArrayList<>();
        Set<Path> targets = new HashSet<>();
        boolean external = false;
        for (VolumeMount mount : mounts) {
            VolumeDriver driver = driverFor(mount);
            driver.locate(mount.volumeId());
            Path target = ContainerPaths.target(mount.volumeId(), mount.containerPath(), sandboxDir);
            if (!targets.add(target)) {
                throw VolumeRefusedException.failed("two volumes are mounted at " + mount.containerPath());
            }
            planned.add(new Planned(mount, driver, target));
            external |= mount.type() == VolumeType.EXTERNAL;
        }
        if (external && (lease == null || !lease.awaitValid(lease.length()))) {
            // Nothing was heard from the cluster within the lease: another node may hold the volume by now.
            throw VolumeRefusedException.fenced(LEASE_EXPIRED);
        }
        List<PublishedVolumes.BindMount> binds = new ArrayList<>();
        List<PublishedVolumes.EpochGuard> guards = new ArrayList<>();
        for (Planned p : planned) {
            Path source = p.driver.publish(p.mount.volumeId(), p.mount.sizeMib(), owner);
            if (p.mount.type() == VolumeType.EXTERNAL) {
                FencingEpoch.claim(p.mount.volumeId(), source, p.mount.fencingEpoch());
                guards.add(new PublishedVolumes.EpochGuard(p.mount.volumeId(), FencingEpoch.fileIn(source),
                        p.mount.fencingEpoch()));
            }
            if (absoluteOnHost || p.target.startsWith(sandboxDir.toAbsolutePath().normalize())) {
                makeMountPoint(p.mount, p.target, sandboxDir, owner);
            }
            binds.add(new PublishedVolumes.BindMount(p.mount.volumeId(), source, p.target, p.mount.readOnly()));
        }
        binds.sort(Comparator.comparingInt(b -> b.target().getNameCount()));
        return new PublishedVolumes(binds, guards, guards.isEmpty() ? Optional.empty() : Optional.of(lease.file()));
    }

    private VolumeDriver driverFor(VolumeMount mount) throws VolumeRefusedException {
        String provider = mount.provider() != null ? mount.provider()
                : mount.type() == VolumeType.EXTERNAL ? SharedFsDriver.NAME : LocalDriver.NAME;
        VolumeDriver driver = drivers.get(provider);
        if (driver == null) {
            throw VolumeRefusedException.failed("volume " + mount.volumeId() + " needs provider '" + provider
                    + "', which this node does not offer" + (provider.equals(SharedFsDriver.NAME)
                    ? " (its agent has no BERTH_AGENT_SHARED_VOLUME_ROOT)" : ""));
        }
        return driver;
    }

    /**
     * The directory the volume is bound over. In the sandbox it is the task's (created as its user owns
     * it); an absolute one is created on the host's file system too, since the task's mount namespace
     * shares it, and stays behind there, empty.
     */
    private static void makeMountPoint(VolumeMount mount, Path target, Path sandboxDir,
                                       Optional<VolumeDriver.Owner> owner) throws VolumeRefusedException {
        if (Files.isSymbolicLink(target)) {
            throw VolumeRefusedException.failed("volume " + mount.volumeId() + ": " + target
                    + " is a symbolic link, refused as a mount point");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw VolumeRefusedException.failed("volume " + mount.volumeId() + ": " + target
                    + " exists and is not a directory");
        }
        try {
            Path sandbox = sandboxDir.toAbsolutePath().normalize();
            Path missing = target;
            while (missing.getParent() != null && !Files.exists(missing.getParent())) {
                missing = missing.getParent();
            }
            Files.createDirectories(target);
            if (owner.isPresent() && target.startsWith(sandbox)) {
                // What was created in the sandbox is the task's, so it can write beside its volume too.
                for (Path dir = target; dir.startsWith(missing); dir = dir.getParent()) {
                    Files.setAttribute(dir, "unix:uid", owner.get().uid(), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(dir, "unix:gid", owner.get().gid(), LinkOption.NOFOLLOW_LINKS);
                }
            }
        } catch (IOException e) {
            throw VolumeRefusedException.failed("volume " + mount.volumeId() + ": cannot create the mount point "
                    + target + ": " + e, e);
        }
    }
}
