package dev.berth.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of a node agent ({@code berth.agent.*}, or BERTH_AGENT_* environment variables). */
@ConfigMapping(prefix = "berth.agent")
public interface AgentConfig {
    /** The node's id in the cluster; defaults to the machine's hostname. */
    Optional<String> nodeId();

    /** The hostname reported for the node; defaults to the machine's. */
    Optional<String> hostname();

    /** The address other machines reach this node's tasks (and the agent's HTTP) on. */
    @WithDefault("127.0.0.1")
    String host();

    /** Where sandboxes live: {@code <work-dir>/sandboxes/<task id>}; relative to the agent's working directory. */
    @WithDefault("./berth-agent-work")
    String workDir();

    /** Cores offered to tasks; defaults to the machine's processors. */
    Optional<Double> cpus();

    /** MiB of memory offered; defaults to the machine's physical memory. */
    Optional<Double> mem();

    /** MiB of disk offered; defaults to the free space of the work dir. */
    Optional<Double> disk();

    /** Host ports offered to tasks, inclusive: {@code 31000-31999}. */
    @WithDefault("31000-31999")
    String ports();

    /**
     * Node attributes for placement constraints: {@code zone=a,rack=r1}. Optional rather than
     * defaulting to "": the config system takes an empty value for a missing one, and
     * {@code BERTH_AGENT_ATTRIBUTES=} (none) must not stop the agent from starting.
     */
    Optional<String> attributes();

    /** How often the node reports it is alive, with its running tasks. */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /**
     * How tasks are isolated: {@code auto} (cgroups and namespaces where the host allows, otherwise
     * best-effort), {@code cgroups} (refuse to start without them) or {@code best-effort}.
     */
    @WithDefault("auto")
    String isolation();

    /** Where the cgroup hierarchies are mounted. */
    @WithDefault("/sys/fs/cgroup")
    String cgroupRoot();

    /** The group under each hierarchy that holds this agent's task cgroups ({@code <root>/<ctl>/<name>/<task>}). */
    @WithDefault("berth")
    String cgroupParent();

    /** Most processes and threads a task may have, unless its app says otherwise. */
    @WithDefault("1024")
    int pidsLimit();

    /** A task's stdout or stderr is rotated when it grows past this many bytes. */
    @WithDefault("10485760")
    long logMaxBytes();

    /** How many rotated files ({@code stdout.1} …) are kept per stream; older ones are deleted. */
    @WithDefault("2")
    int logRotations();

    /** How often usage (cpu, memory, disk) is measured and log sizes are checked. */
    @WithDefault("5s")
    Duration usageInterval();

    /**
     * How long the sandbox of an ended task (its output, what it wrote) stays on the node after the end,
     * its logs readable through the API; then the agent forgets the task and removes its sandbox
     * (Mesos's {@code --gc_delay}).
     */
    @WithDefault("24h")
    Duration sandboxRetention();

    /** Ended tasks whose sandboxes are kept at most, whatever their age; beyond it the oldest go first. */
    @WithDefault("1000")
    int sandboxesKept();

    /**
     * How often the agent sweeps for stray processes: those in its task groups or carrying its mark that no
     * live task accounts for, which it logs, counts ({@code GET /v1/agent/strays}) and kills. It also sweeps
     * once at start. {@code 0s}: only at start.
     */
    @WithDefault("30s")
    Duration sweepInterval();

    /** Where local volumes live ({@code <volume-root>/<volume id>}); defaults to {@code <work-dir>/volumes}. */
    Optional<String> volumeRoot();

    /**
     * What new local volumes are made as: {@code auto} (a loop-mounted ext4 image, which enforces the
     * volume's size, where a probe at start shows the host allows it; else a directory), {@code image}
     * (refuse to start without images) or {@code directory} (sizes not enforced).
     */
    @WithDefault("auto")
    String localVolumeFormat();

    /**
     * The mount every node shares, where {@code sharedfs} volumes live ({@code <root>/<volume id>}). Unset:
     * the node does not offer {@code sharedfs}.
     */
    Optional<String> sharedVolumeRoot();

    /**
     * How long tasks holding an external volume run on after the last node report the broker
     * acknowledged; then their watchdogs kill them. The scheduler moves their volumes only after it
     * (lease + its 1 s margin); 4 s keeps that within its 5 s node timeout, so failover takes no longer,
     * and gives a restarting agent 4 s to have its registration acknowledged before such tasks stop.
     */
    @WithDefault("4s")
    Duration volumeLease();

    /**
     * Whether each task gets a root file system of its own ({@code pivot_root}): {@code auto} (where a
     * probe at start shows the host allows it: root, mount namespaces, the native helper), {@code own-root}
     * (refuse to start without it) or {@code host} (tasks see the host's files; only for hosts that cannot).
     */
    @WithDefault("auto")
    String filesystem();

    /**
     * Host directories bound read-only into every task's root, comma-separated (Nomad's {@code chroot_env}).
     * Unset: {@code /bin,/sbin,/lib,/lib32,/lib64,/libx32,/usr}.
     */
    Optional<String> chrootEnv();

    /** Entries of the host's {@code /etc} copied into every task's {@code /etc}; unset: {@code TaskEtc}'s list. */
    Optional<String> taskEtc();

    /** Who a task whose app names no {@code user} runs as. */
    @WithDefault("nobody")
    String defaultUser();

    /**
     * The users an app may name, comma-separated ({@code root} among them only if tasks may run as root
     * here); the default user is always allowed. Unset: {@code nobody}.
     */
    Optional<String> allowedUsers();

    /**
     * The node's bridge for tasks with a bridge network ({@code networks: [{"mode": "container/bridge"}]}):
     * made at start if missing. {@code none} turns bridging off (bridged tasks are refused). Agents sharing a
     * machine need one each.
     */
    @WithDefault("berth0")
    String bridgeName();

    /**
     * The bridge's addresses: its own is the first, tasks get the others. A private range, not used
     * elsewhere on the node's network; agents sharing a machine need one each.
     */
    @WithDefault("10.213.0.0/22")
    String bridgeSubnet();

    /**
     * Registry credentials for pulling images, as a Docker {@code config.json} ({@code {"auths": {"host:port":
     * {"auth": "base64(user:password)"}}}}). Unset: images are pulled without credentials.
     */
    Optional<String> registryAuthFile();

    /**
     * Registries reached over plain HTTP, comma-separated {@code host:port}s. Loopback registries
     * ({@code 127.0.0.1:5000}, {@code localhost:5000}) always are; every other one is asked over HTTPS.
     */
    Optional<String> insecureRegistries();

    /**
     * The most disk the node's image cache ({@code <work-dir>/images}) may hold, in MiB; past it, the
     * images no task uses are removed, the least recently used first.
     */
    @WithDefault("10240")
    long imageCacheMib();

    /** Replication factor for topics this agent creates if it starts first (1 for a single broker). */
    @WithDefault("1")
    short topicReplicationFactor();
}
