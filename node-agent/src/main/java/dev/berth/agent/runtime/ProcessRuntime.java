package dev.berth.agent.runtime;

import dev.berth.agent.cgroups.CgroupLimits;
import dev.berth.agent.cgroups.Cgroups;
import dev.berth.agent.cgroups.TaskCgroup;
import dev.berth.agent.host.FileTrees;
import dev.berth.agent.image.ImageLaunch;
import dev.berth.agent.image.ImageUsers;
import dev.berth.agent.image.PulledImage;
import dev.berth.agent.image.TaskImages;
import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.network.NetworkRefusedException;
import dev.berth.agent.network.TaskNetworks;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.volumes.PublishedVolumes;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.agent.volumes.VolumeDriver;
import dev.berth.agent.volumes.VolumeRefusedException;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskStatus;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs a task as Linux processes, fenced off as far as the host allows (see {@link HostIsolation}):
 * in a cgroup of its own with its memory, cpu and pids limits; in its own PID, mount, UTS and IPC
 * namespaces (and network, if the app asks) with its own hostname; as the app's user; in its own
 * session, apart from the agent's signals; with its volumes bound in its own mount namespace (see
 * {@link TaskVolumes}) and, when it holds an external one, a watchdog in its init. The command line is
 * {@link LaunchCommand}'s.
 *
 * <p>A task's processes are not the agent's to keep: they outlive an agent that dies or restarts,
 * and a new agent process {@linkplain #adopt adopts} them again.
 */
public final class ProcessRuntime implements TaskRuntime {
    private static final Logger LOG = Logger.getLogger(ProcessRuntime.class);
    private static final long MIB = 1024 * 1024;
    /**
     * The smallest memory limit given, whatever the app asks: a shell and its command need a few MiB
     * before the task does anything, and a limit below that is an OOM kill at start. Mesos uses the
     * same floor.
     */
    static final double MIN_MEM_LIMIT_MIB = 32;

    private final String host;
    private final Map<String, String> agentEnvironment;
    private final HostIsolation hostIsolation;
    private final int defaultPidsLimit;
    /** How long a start waits for a task's volumes to be bound before it reports the task running anyway. */
    private static final Duration MOUNT_WAIT = Duration.ofSeconds(30);

    /**
     * Docker's default capabilities, as setpriv names them: all a task that runs as root (where the node
     * allows it) keeps, and so all its health checks keep.
     */
    static final String ROOT_CAPABILITIES = "+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,"
            + "+setuid,+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write";

    private final ExitWatch exitWatch = new ExitWatch();
    private final TaskVolumes volumes;
    private final Optional<LaunchCommand.VolumeTools> volumeTools;
    private final TaskConfinement confinement;
    private final String agentUser = System.getProperty("user.name");
    private final TaskNetworks networks;
    private final Optional<AgentMark> mark;
    /** Where image tasks' images come from; empty: this runtime runs no images. */
    private volatile Optional<TaskImages> images = Optional.empty();
    /** The directory in an image task's sandbox that holds its root's upper and work directories. */
    public static final String IMAGE_ROOT_DIR = ".berth-rootfs";

    /** Plain processes in their own session: no cgroups, no namespaces (the node reports best-effort). */
    public ProcessRuntime(String host) {
        this(host, System.getenv(), HostIsolation.bestEffort(), 0);
    }

    public ProcessRuntime(String host, HostIsolation hostIsolation, int defaultPidsLimit) {
        this(host, System.getenv(), hostIsolation, defaultPidsLimit);
    }

    public ProcessRuntime(String host, Map<String, String> agentEnvironment, HostIsolation hostIsolation,
                          int defaultPidsLimit) {
        this(host, agentEnvironment, hostIsolation, defaultPidsLimit, TaskVolumes.none());
    }

    /** @param volumes the node's volume drivers and lease, for tasks with volumes */
    public ProcessRuntime(String host, HostIsolation hostIsolation, int defaultPidsLimit, TaskVolumes volumes) {
        this(host, System.getenv(), hostIsolation, defaultPidsLimit, volumes);
    }

    public ProcessRuntime(String host, Map<String, String> agentEnvironment, HostIsolation hostIsolation,
                          int defaultPidsLimit, TaskVolumes volumes) {
        this(host, agentEnvironment, hostIsolation, defaultPidsLimit, volumes, TaskConfinement.none());
    }

    /** @param confinement the task's own root (where the host allows it) and the node's user policy */
    public ProcessRuntime(String host, HostIsolation hostIsolation, int defaultPidsLimit, TaskVolumes volumes,
                          TaskConfinement confinement) {
        this(host, System.getenv(), hostIsolation, defaultPidsLimit, volumes, confinement);
    }

    public ProcessRuntime(String host, Map<String, String> agentEnvironment, HostIsolation hostIsolation,
                          int defaultPidsLimit, TaskVolumes volumes, TaskConfinement confinement) {
        this(host, agentEnvironment, hostIsolation, defaultPidsLimit, volumes, confinement,
                TaskNetworks.unavailable("the agent was started without bridge networking"));
    }

    /** @param networks the node's bridge, for tasks with a bridge network */
    public ProcessRuntime(String host, Map<String, String> agentEnvironment, HostIsolation hostIsolation,
                          int defaultPidsLimit, TaskVolumes volumes, TaskNetworks networks) {
        this(host, agentEnvironment, hostIsolation, defaultPidsLimit, volumes, TaskConfinement.none(), networks);
    }

    /**
     * @param confinement the task's own root (where the host allows it) and the node's user policy
     * @param networks    the node's bridge, for tasks with a bridge network
     */
    public ProcessRuntime(String host, Map<String, String> agentEnvironment, HostIsolation hostIsolation,
                          int defaultPidsLimit, TaskVolumes volumes, TaskConfinement confinement,
                          TaskNetworks networks) {
        this(host, agentEnvironment, hostIsolation, defaultPidsLimit, volumes, confinement, networks,
                Optional.empty());
    }

    /** @param mark put on every task's processes ({@link AgentMark}), so leftovers can be found by it */
    public ProcessRuntime(String host, Map<String, String> agentEnvironment, HostIsolation hostIsolation,
                          int defaultPidsLimit, TaskVolumes volumes, TaskConfinement confinement,
                          TaskNetworks networks, Optional<AgentMark> mark) {
        this.mark = mark;
        this.confinement = confinement;
        this.networks = networks;
        this.volumes = volumes;
        this.volumeTools = HostIsolation.tool("mount").flatMap(mount -> HostIsolation.tool("sleep")
                .map(sleep -> new LaunchCommand.VolumeTools(mount, sleep)));
        this.host = host;
        this.agentEnvironment = Map.copyOf(agentEnvironment);
        this.hostIsolation = hostIsolation;
        this.defaultPidsLimit = defaultPidsLimit;
    }

    /** Image tasks run from images this store pulls and unpacks. */
    public ProcessRuntime withImages(TaskImages store) {
        images = Optional.of(store);
        return this;
    }

    public Optional<TaskImages> images() {
        return images;
    }

    @Override
    public String isolation() {
        return hostIsolation.isolation();
    }

    public HostIsolation hostIsolation() {
        return hostIsolation;
    }

    public TaskVolumes volumes() {
        return volumes;
    }

    public TaskConfinement confinement() {
        return confinement;
    }

    /** True when tasks get a root of their own here: the helper is ready and tasks get mount namespaces. */
    public boolean ownRoot() {
        return confinement.ownRoot().isPresent() && hostIsolation.unshare().isPresent();
    }

    /**
     * Kills whatever runs in a task group no checkpoint accounts for, and removes the group: a task
     * whose agent died between starting its process and writing it down, or one left by an agent
     * whose work dir was wiped. Nothing may run on the node that no agent knows of.
     *
     * @param known the cgroup names ({@link Sandbox#name()}) of the tasks the agent has taken over
     * @return the names of the groups reaped
     */
    public List<String> reapOrphans(Set<String> known) {
        List<String> reaped = new ArrayList<>();
        for (String name : taskGroups()) {
            if (!known.contains(name)) {
                reapTaskGroup(name);
                reaped.add(name);
            }
        }
        networks.sweep(known);
        return reaped;
    }

    /** The names ({@link Sandbox#name()}) of the task groups under this agent's cgroup parent now; none without cgroups. */
    public List<String> taskGroups() {
        return hostIsolation.cgroups().map(cgroups -> cgroups.taskGroups().stream()
                .filter(name -> !name.startsWith(".probe-")).toList()).orElse(List.of());
    }

    /** The processes that run in one of the agent's task groups now (zombies are not counted). */
    public List<ProcessStamp> processesIn(String taskGroup) {
        return hostIsolation.cgroups().flatMap(cgroups -> cgroups.existing(taskGroup))
                .map(group -> group.pids().stream().map(ProcessStamp::of)
                        .filter(stamp -> stamp.find().isPresent()).toList())
                .orElse(List.of());
    }

    /**
     * SIGKILL to whatever runs in one of the agent's task groups, until it is empty, then removes it.
     *
     * @return false if something still ran after SIGKILL (stuck in the kernel)
     */
    public boolean reapTaskGroup(String taskGroup) {
        return hostIsolation.cgroups().flatMap(cgroups -> cgroups.existing(taskGroup))
                .map(TaskProcess::killAll).orElse(true);
    }

    /** The agent stops: its cgroup parent goes too, unless tasks are still in it. */
    public void close() {
        hostIsolation.cgroups().ifPresent(Cgroups::removeParentIfEmpty);
    }

    @Override
    public RunningProcess start(String taskId, String appId, TaskSpec spec, Sandbox sandbox)
            throws LaunchFailedException {
        Optional<String> refusal = confinement.refusal(spec);
        if (refusal.isPresent()) {
            throw new LaunchFailedException(refusal.get(), null);
        }
        try {
            sandbox.create();
            for (Path file : sandbox.runFiles()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new LaunchFailedException("cannot create sandbox " + sandbox.dir() + ": " + e, e);
        }
        boolean ownRoot = ownRoot();
        // An image task's command, environment base, user and root come from its image.
        Optional<ImageRun> image = spec.image() == null ? Optional.empty() : Optional.of(imageRun(spec, sandbox));
        String user = image.map(i -> i.launch().user().name()).orElseGet(() -> confinement.userOf(spec));
        Path sandboxInside = ownRoot ? OwnRoot.SANDBOX : sandbox.dir();
        Map<String, String> env = image.isPresent()
                ? TaskEnvironment.forImage(taskId, appId, spec, host, sandboxInside, image.get().launch().imageEnv())
                : TaskEnvironment.of(taskId, appId, spec, host, sandboxInside, agentEnvironment);
        if (image.isPresent()) {
            // Docker's rule: the image's HOME, else the user's home in the image.
            env.putIfAbsent("HOME", image.get().launch().user().home());
            env.put("USER", user);
            env.put("LOGNAME", user);
        } else if (ownRoot) {
            // The agent's HOME and TMPDIR are host paths the task cannot see; its sandbox is its home.
            env.put("HOME", OwnRoot.SANDBOX.toString());
            env.remove("TMPDIR");
            String name = user != null ? user : agentUser;
            env.put("USER", name);
            env.put("LOGNAME", name);
        }
        mark.ifPresent(m -> env.put(AgentMark.VARIABLE, m.valueFor(taskId)));
        Optional<TaskUser> taskUser = image.isPresent()
                ? image.map(i -> new TaskUser(i.launch().user().name(), i.launch().user().uid(),
                        i.launch().user().gid()))
                : lookUp(user);
        giveSandbox(taskUser, sandbox);
        List<String> userSwitch = ownRoot ? List.of() : userSwitch(taskUser);
        List<String> own = new ArrayList<>();
        if (image.isPresent()) {
            own.addAll(image.get().launch().command());
        } else if (spec.cmd() != null && !spec.cmd().isBlank()) {
            own.addAll(List.of("/bin/sh", "-c", spec.cmd()));
        } else if (!spec.args().isEmpty()) {
            // The init would start a missing program and then exit 127; say why before launching.
            String program = spec.args().get(0);
            if (!isRunnable(program, sandbox.dir(), env.get("PATH"))) {
                throw new LaunchFailedException("cannot start " + program + ": no such executable", null);
            }
            own.addAll(spec.args());
        } else {
            throw new LaunchFailedException("the task has neither cmd nor args", null);
        }
        boolean privateNet = spec.isolation().privateNetwork();
        if (spec.isolation().network() == Isolation.Network.NONE && !hostIsolation.privateNet()) {
            throw new LaunchFailedException("the app asks for network NONE, but this node cannot create network "
                    + "namespaces; constrain the app to nodes with [\"isolation\", \"UNLIKE\", \"best-effort\"]",
                    null);
        }
        // Before the cgroup exists: a volume refused leaves nothing to clean up.
        PublishedVolumes published = publishVolumes(spec, sandbox, taskUser, ownRoot);
        boolean awaitVolumes = !published.binds().isEmpty();
        List<String> task = new ArrayList<>(userSwitch);
        task.addAll(own);
        Optional<TaskCgroup> cgroup = cgroup(spec, sandbox);
        // A bridged task joins its named network namespace (nsenter --net=… --) before unshare makes the rest.
        List<String> join = joinNetwork(spec, sandbox, cgroup);
        List<String> namespaces = new ArrayList<>(join);
        hostIsolation.unshare().ifPresent(unshare -> {
            namespaces.add(unshare.toString());
            namespaces.addAll(HostIsolation.NAMESPACES);
            if (privateNet && join.isEmpty()) {
                namespaces.add("--net");
            }
        });
        List<Path> procsFiles = cgroup.map(TaskCgroup::procsFiles).orElse(List.of());
        List<String> command = new ArrayList<>();
        if (ownRoot) {
            // A bridged task's helper starts in its network namespace; only NONE asks the helper for a new one.
            command.addAll(join);
            command.addAll(confinedLaunch(taskId, sandbox, user != null ? user : agentUser, procsFiles,
                    privateNet && join.isEmpty(), published, image.map(i -> i.root(taskUser.orElseThrow())), own));
        } else {
            command = LaunchCommand.of(hostIsolation.setsid(), procsFiles, namespaces, sandbox, hostname(taskId),
                    privateNet ? hostIsolation.ip() : Optional.empty(), published, volumeTools, task);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(sandbox.dir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(sandbox.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(sandbox.stderr().toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            TaskProcess started = new TaskProcess(ProcessStamp.of(process.pid()),
                    process.onExit().thenApply(Process::exitValue), cgroup,
                    namespaces.isEmpty() ? Optional.empty() : hostIsolation.nsenter(),
                    privateNet, checkUserSwitch(taskUser), groupOf(process.pid()), sandbox, ownRoot);
            started.releaseOnEnd(() -> networks.release(sandbox.name()));
            if (awaitVolumes) {
                awaitMounts(started, sandbox);
            }
            return started;
        } catch (IOException e) {
            cgroup.ifPresent(TaskCgroup::remove);
            networks.release(sandbox.name());
            throw new LaunchFailedException("cannot start " + String.join(" ", task) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RunningProcess adopt(TaskSpec spec, Sandbox sandbox, ProcessStamp stamp) {
        Optional<TaskCgroup> cgroup = hostIsolation.cgroups().flatMap(c -> c.existing(sandbox.name()));
        boolean privateNet = spec.isolation().privateNetwork();
        List<String> userSwitch;
        try {
            userSwitch = checkUserSwitch(lookUp(confinement.userOf(spec)));
        } catch (LaunchFailedException e) {
            userSwitch = List.of(); // the user went away since; its checks then run as the agent's user
        }
        // Not strict about its own root: a task started before the node had one is adopted as it runs.
        TaskProcess adopted = new TaskProcess(stamp, exitWatch.exitOf(stamp, sandbox.exitFile()), cgroup,
                hostIsolation.unshare().isPresent() ? hostIsolation.nsenter() : Optional.empty(), privateNet,
                userSwitch, groupOf(stamp.pid()), sandbox, false);
        adopted.releaseOnEnd(() -> networks.release(sandbox.name()));
        return adopted;
    }

    /**
     * The command prefix that puts a bridged task into its own network namespace on the node's bridge
     * (made now, see {@link TaskNetworks}); nothing for other tasks. Refused, the task's cgroup goes again.
     */
    private List<String> joinNetwork(TaskSpec spec, Sandbox sandbox, Optional<TaskCgroup> cgroup)
            throws LaunchFailedException {
        if (spec.isolation().network() != Isolation.Network.BRIDGE) {
            return List.of();
        }
        try {
            return networks.attach(sandbox.name(), spec.ports());
        } catch (NetworkRefusedException e) {
            cgroup.ifPresent(TaskCgroup::remove);
            throw new LaunchFailedException(e.getMessage(), e);
        }
    }

    /**
     * The task's volumes, ready on the host (published, epochs claimed, mount points made); binding them
     * is up to its init, inside its own mount namespace, so a node without mount namespaces refuses them.
     */
    private PublishedVolumes publishVolumes(TaskSpec spec, Sandbox sandbox, Optional<TaskUser> user, boolean ownRoot)
            throws LaunchFailedException {
        if (spec.volumes().isEmpty()) {
            return PublishedVolumes.NONE;
        }
        if (!hostIsolation.mountNamespaces() || volumeTools.isEmpty()) {
            throw new LaunchFailedException(TaskStatus.VOLUME_FAILED + ": this node cannot mount volumes into "
                    + "tasks: it has no mount namespaces (the agent needs root, unshare and mount); keep apps with "
                    + "volumes off it", null);
        }
        Optional<VolumeDriver.Owner> owner = user.filter(u -> !u.name().equals(agentUser))
                .map(u -> new VolumeDriver.Owner(u.name(), u.uid(), u.gid()));
        try {
            // In its own root an absolute container path is made inside that root, never on the host.
            return volumes.publish(spec.volumes(), sandbox.dir(), owner, !ownRoot);
        } catch (VolumeRefusedException e) {
            throw new LaunchFailedException(e.getMessage(), e);
        }
    }

    /**
     * Waits until the task's init has bound its volumes, so that a volume that cannot be mounted fails
     * the start (and the task is never reported running) rather than ending it a moment later.
     */
    private static void awaitMounts(TaskProcess task, Sandbox sandbox) throws LaunchFailedException {
        Instant deadline = Instant.now().plus(MOUNT_WAIT);
        while (!Files.exists(sandbox.mountedMark())) {
            if (task.exit().isDone()) {
                Integer code = task.exit().join();
                task.reapLeftovers();
                throw new LaunchFailedException(EndMarks.mountFailure(sandbox).orElse(TaskStatus.VOLUME_FAILED
                        + ": the task's namespace ended (code " + code + ") before its volumes were mounted"), null);
            }
            if (Instant.now().isAfter(deadline)) {
                // A slow share: the task is running; should a mount fail later, its end says so.
                LOG.warnf("task %s: volumes not mounted after %s, reporting it running anyway", sandbox.taskId(),
                        MOUNT_WAIT);
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The task's process group: its first process leads one when it was started through setsid. */
    private long groupOf(long pid) {
        return hostIsolation.setsid().isPresent() ? pid : 0;
    }

    private Optional<TaskCgroup> cgroup(TaskSpec spec, Sandbox sandbox) throws LaunchFailedException {
        if (hostIsolation.cgroups().isEmpty()) {
            return Optional.empty();
        }
        int pids = spec.isolation().pidsLimit() != null ? spec.isolation().pidsLimit() : defaultPidsLimit;
        long memBytes = Math.round(Math.max(spec.mem(), MIN_MEM_LIMIT_MIB) * MIB);
        CgroupLimits limits = new CgroupLimits(spec.cpus(), memBytes, pids);
        try {
            return Optional.of(hostIsolation.cgroups().get().create(sandbox.name(), limits));
        } catch (IOException e) {
            throw new LaunchFailedException("cannot create the task's cgroup: " + e.getMessage(), e);
        }
    }

    /**
     * The command line that launches the task into its own root as its user ({@link OwnRoot}): the helper
     * does all of it, namespaces, init and watchdog included. Its {@code /etc/hosts}, with its hostname, is
     * written beside its checkpoint first.
     */
    private List<String> confinedLaunch(String taskId, Sandbox sandbox, String user, List<Path> procsFiles,
                                        boolean privateNet, PublishedVolumes published,
                                        Optional<OwnRoot.ImageRoot> image, List<String> own)
            throws LaunchFailedException {
        OwnRoot root = confinement.ownRoot().orElseThrow();
        try {
            Files.writeString(sandbox.hostsFile(), OwnRoot.hostsFile(hostname(taskId)));
        } catch (IOException e) {
            throw new LaunchFailedException("cannot write the task's /etc/hosts: " + e, e);
        }
        List<OwnRoot.Volume> binds = published.binds().stream()
                .map(b -> new OwnRoot.Volume(b.volumeId(), b.source(), OwnRoot.inside(sandbox.dir(), b.target()),
                        b.readOnly()))
                .toList();
        List<String> confined = root.confinement(sandbox.dir(), user, image, sandbox.hostsFile(), binds,
                new OwnRoot.Marks(sandbox.mountedMark(), sandbox.rootFailedMark(), sandbox.mountFailedMark()), own);
        Optional<OwnRoot.Watchdog> watchdog = Optional.empty();
        if (published.needsWatchdog()) {
            Map<Path, Long> epochs = new java.util.LinkedHashMap<>();
            published.guards().forEach(g -> epochs.put(g.epochFile(), g.epoch()));
            watchdog = Optional.of(new OwnRoot.Watchdog(published.leaseFile().orElseThrow(), sandbox.fencedMark(),
                    epochs));
        }
        return root.launch(procsFiles, sandbox.exitFile(), hostname(taskId), privateNet, watchdog, confined);
    }

    /** An image task's start: its image as pulled and unpacked, and what it runs as. */
    private record ImageRun(List<Path> layersTopFirst, ImageLaunch launch, Path upper, Path work) {
        /** The root the helper mounts: the image's layers under the task's own upper directory. */
        OwnRoot.ImageRoot root(TaskUser user) {
            return new OwnRoot.ImageRoot(layersTopFirst, upper, work, launch.workingDir(), user.uid(), user.gid());
        }
    }

    /** Where image tasks' images come from; refused where this node cannot run images at all. */
    private TaskImages imageStore() throws LaunchFailedException {
        if (!ownRoot()) {
            throw new LaunchFailedException("this node cannot run images: tasks get no root of their own here ("
                    + confinement.ownRootWhy() + ")", null);
        }
        return images.orElseThrow(() -> new LaunchFailedException(
                "this node cannot run images: the agent has no image store", null));
    }

    /**
     * Pulls the task's image (at once from the node's cache when {@link #prepare} has just fetched it) and
     * words its start; the writable upper directory of its root is made in its sandbox, out of the task's
     * reach (0700, the agent's), so what it writes counts as its disk use and goes with its sandbox.
     */
    private ImageRun imageRun(TaskSpec spec, Sandbox sandbox) throws LaunchFailedException {
        TaskImages store = imageStore();
        PulledImage pulled = store.pull(spec.image(), false, progress -> {
        });
        // overlayfs's order, and the order in which the image's files are looked up
        List<Path> topFirst = new ArrayList<>(pulled.layers());
        java.util.Collections.reverse(topFirst);
        ImageUsers users = new ImageUsers(topFirst, name -> TaskUser.lookup(name)
                .map(u -> new ImageUsers.ImageUser(u.name(), u.uid(), u.gid(), "/")));
        ImageLaunch launch;
        try {
            launch = ImageLaunch.of(spec, pulled.config(), users, confinement.userOf(spec), agentUser,
                    confinement.users().map(u -> u.allowed().contains("root")).orElse(true));
        } catch (IllegalArgumentException e) {
            throw new LaunchFailedException(e.getMessage(), e);
        }
        Path rootfs = sandbox.dir().resolve(IMAGE_ROOT_DIR);
        Path upper = rootfs.resolve("upper");
        Path work = rootfs.resolve("work");
        try {
            Files.createDirectories(rootfs);
            Files.setPosixFilePermissions(rootfs, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(upper);
            if (Files.exists(work)) {
                FileTrees.deleteTree(work);
            }
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new LaunchFailedException("cannot make the image's root in " + rootfs + ": " + e, e);
        }
        return new ImageRun(topFirst, launch, upper, work);
    }

    /** Pulls the image of an image task, telling {@code progress} how far it got; nothing for other tasks. */
    @Override
    public void prepare(TaskSpec spec, java.util.function.Consumer<String> progress) throws LaunchFailedException {
        if (spec.image() == null) {
            return;
        }
        TaskImages store = imageStore();
        store.pull(spec.image(), spec.image().forcePullImage(), progress);
    }

    /** The node's entry for the task's user (empty: the agent's own user); an unknown user is refused. */
    private Optional<TaskUser> lookUp(String user) throws LaunchFailedException {
        if (user == null) {
            return Optional.empty();
        }
        TaskUser found = TaskUser.lookup(user).orElseThrow(() -> new LaunchFailedException(
                "user '" + user + "' does not exist on this node", null));
        if (!user.equals(agentUser) && hostIsolation.setpriv().isEmpty()) {
            throw new LaunchFailedException("cannot run as user '" + user + "': the agent is not root or this "
                    + "node has no setpriv", null);
        }
        return Optional.of(found);
    }

    /** The sandbox becomes the task user's, so the task can write where it runs. */
    private void giveSandbox(Optional<TaskUser> user, Sandbox sandbox) throws LaunchFailedException {
        if (user.isEmpty() || user.get().name().equals(agentUser)) {
            return;
        }
        try {
            // By number, from the (cached) entry: a lookup by name would read the user database again per task.
            Files.setAttribute(sandbox.dir(), "unix:uid", user.get().uid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(sandbox.dir(), "unix:gid", user.get().gid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new LaunchFailedException("cannot give the sandbox to user '" + user.get().name() + "': " + e, e);
        }
    }

    /**
     * {@code setpriv} to the task's user, with that user's groups, no new privileges (setuid binaries give
     * nothing) and no capabilities; for a task that runs as root (allowed by the node), Docker's default
     * capabilities only. Empty where the agent runs tasks as itself without a user policy (tests).
     */
    private List<String> userSwitch(Optional<TaskUser> user) {
        if (user.isEmpty() || hostIsolation.setpriv().isEmpty()) {
            return List.of();
        }
        TaskUser found = user.get();
        List<String> command = new ArrayList<>(List.of(hostIsolation.setpriv().get().toString()));
        if (found.uid() != 0) {
            command.addAll(List.of("--reuid=" + found.uid(), "--regid=" + found.gid(), "--init-groups",
                    "--bounding-set=-all"));
        } else {
            command.add("--bounding-set=-all," + ROOT_CAPABILITIES);
        }
        command.addAll(List.of("--inh-caps=-all", "--no-new-privs", "--"));
        return command;
    }

    /**
     * How a health check becomes the task's user. The same as the task's own switch; in a task's own root
     * setpriv is the root's ({@code /usr} is bound into it), so the same words work there too.
     */
    private List<String> checkUserSwitch(Optional<TaskUser> user) {
        if (user.isPresent() && user.get().name().equals(agentUser) && confinement.users().isEmpty()) {
            return List.of();
        }
        return userSwitch(user);
    }

    /** The task's own hostname: its id, as a valid host name label. */
    static String hostname(String taskId) {
        String label = taskId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        label = label.length() > 63 ? label.substring(label.length() - 63) : label;
        label = label.replaceAll("^-+", "").replaceAll("-+$", "");
        return label.isEmpty() ? "task" : label;
    }

    /** A path to an executable (relative to the sandbox, the task's working directory), or a name on PATH. */
    static boolean isRunnable(String program, Path workingDir, String path) {
        if (program.isBlank()) {
            return false;
        }
        if (program.contains("/")) {
            return Files.isExecutable(workingDir.resolve(program));
        }
        for (String dir : (path == null ? "" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
