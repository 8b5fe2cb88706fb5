package dev.berth.agent;

import dev.berth.agent.command.NodeCommandConsumer;
import dev.berth.agent.health.HealthChecksNextToTasks;
import dev.berth.agent.health.HealthMonitor;
import dev.berth.agent.image.ConfineLayerMarks;
import dev.berth.agent.image.ImageStore;
import dev.berth.agent.image.RegistryClient;
import dev.berth.agent.image.RegistryCredentials;
import dev.berth.agent.image.TaskImages;
import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.isolation.TaskEtc;
import dev.berth.agent.logs.LogRotation;
import dev.berth.agent.metrics.AgentMetrics;
import dev.berth.agent.network.TaskNetworks;
import dev.berth.agent.node.NodeAnnouncer;
import dev.berth.agent.node.NodeProfile;
import dev.berth.agent.node.NodeProfiles;
import dev.berth.agent.runtime.AgentMark;
import dev.berth.agent.runtime.HostIsolation;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.SandboxRetention;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.status.StatusPublisher;
import dev.berth.agent.sweep.StraySweep;
import dev.berth.agent.task.CheckpointStore;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.agent.trace.LaunchSpans;
import dev.berth.agent.volumes.ImageProbe;
import dev.berth.agent.volumes.ImageTools;
import dev.berth.agent.volumes.LocalDriver;
import dev.berth.agent.volumes.LocalVolumeFormat;
import dev.berth.agent.volumes.NodeLease;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.agent.volumes.VolumeRemoval;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.NodeImage;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.trace.RecordTracing;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent's lifecycle, and the one place its parts are wired together. On start: create the
 * topics if needed, fix the position in the node's command partition, register the node, heartbeat.
 * On stop: stop reading and reporting, but leave the tasks running: an agent restart must not take
 * its tasks down, and the next agent process re-adopts them from their checkpoints.
 */
@ApplicationScoped
public class Agent {
    private static final Logger LOG = Logger.getLogger(Agent.class);
    /** How long to wait for the broker at start before giving up (and failing the start). */
    private static final Duration REACH_KAFKA = Duration.ofSeconds(60);

    @Inject
    AgentConfig config;

    @Inject
    HttpServer httpServer;

    @Inject
    AgentMetrics metrics;

    /** Quarkus's tracer, used only when BERTH_OTLP_ENDPOINT turned tracing on (RecordTracing.of). */
    @Inject
    Tracer tracer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Only a placeholder until the server listens; see {@link #onHttpServerStart}. */
    @ConfigProperty(name = "quarkus.http.port")
    int configuredHttpPort;

    private ProcessRuntime runtime;
    private volatile NodeProfile profile;
    private StatusPublisher publisher;
    private volatile TaskSupervisor supervisor;
    private volatile NodeCommandConsumer commands;
    private NodeAnnouncer announcer;
    private ScheduledExecutorService sampler;
    private boolean commandsPositioned;
    /** Set at shutdown: a late look for the HTTP port must not announce the node then. */
    private boolean stopping;
    private NodeLease lease;
    private NodeVolumes nodeVolumes;
    private NodeConfinement nodeConfinement;
    private VolumeRemoval removal;
    private ExecutorService volumeRemovals;
    private TaskNetworks networks;
    private volatile StraySweep sweep;
    private ScheduledExecutorService sweeper;

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        // Before the JDK starts its first process: vfork starts a task directly, where the default
        // (posix_spawn) goes through a helper program, one more exec per task.
        System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
        String nodeId = NodeProfiles.nodeId(config);
        // Each node its own parent group: agents sharing a machine never touch each other's tasks.
        HostIsolation host = HostIsolation.detect(config.isolation(), Path.of(config.cgroupRoot()),
                config.cgroupParent() + "/" + Sandboxes.directoryName(nodeId));
        Path workDir = Path.of(config.workDir()).toAbsolutePath().normalize();
        lease = NodeLease.in(workDir, config.volumeLease());
        endLeaseOfAnotherBoot();
        LocalDriver local = localVolumes(nodeId, config.volumeRoot().map(Path::of)
                .orElse(workDir.resolve("volumes")));
        TaskVolumes volumes = TaskVolumes.of(local, config.sharedVolumeRoot().filter(root -> !root.isBlank())
                .map(Path::of), lease);
        TaskConfinement confinement = confinement(nodeId, host, workDir);
        networks = TaskNetworks.open(config.bridgeName(), config.bridgeSubnet(), workDir.resolve("network"),
                host.unshare().isPresent());
        AgentMark mark = mark(workDir, nodeId);
        runtime = new ProcessRuntime(config.host(), System.getenv(), host, config.pidsLimit(), volumes, confinement,
                networks, Optional.of(mark));
        confinement.ownRoot().ifPresent(root -> runtime.withImages(images(workDir, root)));
        nodeVolumes = volumes.offer(host.mountNamespaces());
        nodeConfinement = confinement.report(host.setpriv().isPresent(), System.getProperty("user.name"));
        LOG.infof("node %s isolates tasks with %s", nodeId, host.describe());
        LOG.infof("node %s %s", nodeId, networks.describe());
        LOG.infof("node %s offers volumes %s, lease %s ms in %s", nodeId,
                nodeVolumes.providers().isEmpty() ? "none (no mount namespaces)" : nodeVolumes.providers(),
                nodeVolumes.leaseMillis(), lease.file());
        profile = withBridge(NodeProfiles.from(config, runtime.isolation(), configuredHttpPort, nodeVolumes,
                nodeConfinement));
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        LaunchSpans launches = new LaunchSpans();
        publisher = new StatusPublisher(bootstrapServers, profile.nodeId(), metrics::deadLettered, launches);
        Sandboxes sandboxes = Sandboxes.under(Path.of(config.workDir()));
        // Health verdicts go through the supervisor, which reports them in order with the task's states.
        HealthMonitor monitor = new HealthMonitor((taskId, state, reason, report) ->
                supervisor.healthChanged(taskId, state, reason, report), metrics::probed);
        LogRotation rotation = new LogRotation(config.logMaxBytes(), config.logRotations());
        supervisor = new TaskSupervisor(profile.nodeId(), sandboxes, runtime, metrics.observing(publisher),
                TaskSupervisor.newWorkers(), new CheckpointStore(sandboxes),
                new HealthChecksNextToTasks(monitor, config.host(), host.setsid()), sandbox -> rotate(rotation, sandbox));
        metrics.countRunning(() -> supervisor.runningTaskIds().size());
        // Before any command is read: a kill for a task the last agent process started must find it.
        int adopted = supervisor.recover();
        if (adopted > 0) {
            LOG.infof("re-adopted %d running tasks left by the previous agent process", adopted);
        }
        // Once the tasks are taken over, so that what runs for them counts as theirs.
        sweep = new StraySweep(profile.nodeId(), runtime, Optional.of(mark), supervisor::runningTaskIds);
        sweepStrays();
        Duration every = config.sweepInterval();
        if (!every.isZero()) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stray-sweep");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweepStrays, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.infof("node %s marks its tasks' processes %s=%s/<task>, and sweeps for strays at start%s", nodeId,
                AgentMark.VARIABLE, mark.token(), every.isZero() ? " only" : " and every " + every);
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "task-usage");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sampleUsage, 0, config.usageInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        volumeRemovals = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "volume-removal");
            t.setDaemon(true);
            return t;
        });
        removal = new VolumeRemoval(volumes, supervisor::volumesInUse, volumeRemovals);
        commands = new NodeCommandConsumer(bootstrapServers, profile.nodeId(), this::route, publisher,
                RecordTracing.of(tracer), launches);
        commands.watchedBy(metrics::watch);
        // Position first, register second: once the scheduler hears of the node it may send
        // commands, and none of them may fall before the agent's read position.
        commands.start(REACH_KAFKA);
        LOG.infof("node %s reads commands from partition %d; sandboxes in %s", profile.nodeId(),
                commands.partition(), sandboxes.root());
        synchronized (this) {
            commandsPositioned = true;
        }
        announceWhenReady();
    }

    /**
     * The registration carries the agent's URL, so it waits for the HTTP server to listen: with
     * {@code quarkus.http.port=0} only then is the port known. Whichever of the two events comes
     * last announces the node. Quarkus fires this one asynchronously, off the event loop.
     */
    void onHttpServerStart(@ObservesAsync HttpServerStart event) {
        announceWhenReady();
    }

    private synchronized void announceWhenReady() {
        int port = httpServer.getPort();
        if (!commandsPositioned || announcer != null || stopping) {
            return;
        }
        if (port <= 0) {
            // The server's start event may have come while the commands were still being positioned, and
            // the port be readable only a moment after: look again shortly rather than wait for an event
            // that has passed (seen once: a node that never registered).
            CompletableFuture.runAsync(this::announceWhenReady,
                    CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
            return;
        }
        profile = withBridge(NodeProfiles.from(config, runtime.isolation(), port, nodeVolumes, nodeConfinement));
        // The registration's acknowledgement is the first renewal of the lease: a restarted agent that
        // took over tasks with external volumes keeps them alive if it gets here within their lease.
        announcer = new NodeAnnouncer(profile, supervisor::runningTaskIds, supervisor::usage, this::cachedImages,
                (report, acknowledged) -> publisher.report(report, () -> {
                    acknowledged.run();
                    metrics.heartbeatAcknowledged();
                }), Optional.of(lease));
        announcer.start(config.heartbeatInterval());
        LOG.infof("node %s announced at %s: %s cpus, %s MiB mem, %s MiB disk, ports %d-%d, attributes %s, "
                        + "isolation %s", profile.nodeId(), profile.agentUrl(), profile.capacity().cpus(),
                profile.capacity().mem(), profile.capacity().disk(), profile.ports().begin(), profile.ports().end(),
                profile.attributes(), profile.isolation());
    }

    /** Commands about tasks go to the supervisor; those about the node's volumes (no task id) are removed here. */
    private void route(NodeCommand command) {
        if (command instanceof DestroyVolume destroy) {
            removal.handle(destroy);
        } else {
            supervisor.handle(command);
        }
    }

    /**
     * Finds out (once, by trying) whether tasks can get a root of their own here, and says so in the log;
     * {@code berth.agent.filesystem=own-root} makes a host that cannot a failed start.
     */
    private TaskConfinement confinement(String nodeId, HostIsolation host, Path workDir) {
        TaskConfinement.Users users = TaskConfinement.Users.of(config.defaultUser(), config.allowedUsers());
        String mode = config.filesystem();
        if (!List.of("auto", "own-root", "host").contains(mode)) {
            throw new IllegalArgumentException("berth.agent.filesystem must be auto, own-root or host, was " + mode);
        }
        OwnRoot.Detected detected;
        if (mode.equals("host")) {
            detected = new OwnRoot.Detected(Optional.empty(), "berth.agent.filesystem=host");
        } else if (host.unshare().isEmpty() || host.setpriv().isEmpty()) {
            detected = new OwnRoot.Detected(Optional.empty(), "the agent cannot make namespaces or switch users "
                    + "here (it needs root)");
        } else {
            detected = OwnRoot.detect(workDir, list(config.chrootEnv(), OwnRoot.DEFAULT_SYSTEM_DIRS),
                    list(config.taskEtc(), TaskEtc.DEFAULT_ENTRIES), users.defaultUser());
        }
        if (mode.equals("own-root") && detected.ownRoot().isEmpty()) {
            throw new IllegalStateException("berth.agent.filesystem=own-root, but tasks cannot get their own root "
                    + "here: " + detected.why());
        }
        LOG.infof("node %s gives tasks %s; they run as %s unless their app names one of %s", nodeId,
                detected.ownRoot().isPresent() ? "a root file system of their own" : "the host's file system ("
                        + detected.why() + ")", users.defaultUser(), users.allowed());
        return new TaskConfinement(detected.ownRoot(), detected.why(),
                host.setpriv().isPresent() ? Optional.of(users) : Optional.empty());
    }

    /** The node's cached images as its reports carry them; none where it runs no images. */
    private List<NodeImage> cachedImages() {
        return runtime.images().map(images -> images.cached().stream()
                .map(image -> new NodeImage(image.reference(), image.manifestDigest(), image.sizeBytes(),
                        image.lastUsed())).toList()).orElse(List.of());
    }

    /**
     * The node's image cache under {@code <work-dir>/images}, pulling with the configured credentials; only
     * where tasks get their own root (an image is one), since its whiteouts are written by the same helper.
     */
    private TaskImages images(Path workDir, OwnRoot root) {
        RegistryCredentials credentials = config.registryAuthFile().filter(file -> !file.isBlank()).map(file -> {
            try {
                return RegistryCredentials.fromDockerConfig(Path.of(file));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the registry credentials in berth.agent.registry-auth-file "
                        + file + ": " + e.getMessage(), e);
            }
        }).orElse(RegistryCredentials.none());
        Set<String> insecure = new java.util.HashSet<>(list(config.insecureRegistries(), List.of()));
        ImageStore store = new ImageStore(workDir.resolve("images"), new RegistryClient(credentials, insecure),
                new ConfineLayerMarks(root.tool()), config.imageCacheMib() * 1024 * 1024);
        return new TaskImages(store, () -> supervisor == null ? Set.of() : supervisor.imagesInUse());
    }

    private static List<String> list(Optional<String> setting, List<String> otherwise) {
        return setting.filter(s -> !s.isBlank())
                .map(s -> java.util.Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())
                .orElse(otherwise);
    }

    /**
     * The node says whether it bridges tasks in its {@code bridge} attribute ({@code true}/{@code false}), so
     * bridged apps can be kept off nodes that cannot run them ({@code ["bridge", "IS", "true"]}). It overrides
     * an operator's attribute of that name: a label must not send bridged tasks to a node that refuses them.
     */
    private NodeProfile withBridge(NodeProfile found) {
        Map<String, String> attributes = new LinkedHashMap<>(found.attributes());
        attributes.put(TaskNetworks.ATTRIBUTE, Boolean.toString(networks.available()));
        return new NodeProfile(found.nodeId(), found.hostname(), found.host(), found.capacity(), found.ports(),
                attributes, found.isolation(), found.agentUrl(), found.volumes(), found.confinement());
    }

    /** Probes the host for image volumes (unless told not to) and says in the log what local volumes are. */
    private LocalDriver localVolumes(String nodeId, Path volumeRoot) {
        ImageTools.Tools tools = ImageTools.find();
        LocalVolumeFormat.Choice choice = LocalVolumeFormat.choose(config.localVolumeFormat(),
                () -> ImageProbe.tryIn(volumeRoot, tools));
        if (choice.format() == LocalVolumeFormat.IMAGE) {
            LOG.infof("node %s makes local volumes as loop-mounted ext4 images in %s (size enforced; %s)", nodeId,
                    volumeRoot, choice.why());
        } else {
            LOG.infof("node %s makes local volumes as directories in %s (size NOT enforced; %s)", nodeId,
                    volumeRoot, choice.why());
        }
        return new LocalDriver(volumeRoot, choice.format(), tools);
    }

    private void endLeaseOfAnotherBoot() {
        try {
            if (lease.endIfFromAnotherBoot()) {
                LOG.warnf("the lease in %s was from before the machine last started; ended", lease.file());
            }
        } catch (IOException e) {
            LOG.warnf("cannot check the lease in %s: %s", lease.file(), e);
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        NodeAnnouncer announcer;
        synchronized (this) {
            stopping = true;
            announcer = this.announcer;
        }
        if (announcer != null) {
            announcer.close();
        }
        if (commands != null) {
            commands.close();
        }
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (volumeRemovals != null) {
            volumeRemovals.shutdown();
        }
        if (supervisor != null) {
            supervisor.close(); // stops watching; the tasks themselves keep running
        }
        if (publisher != null) {
            publisher.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private static void rotate(LogRotation rotation, Sandbox sandbox) {
        try {
            rotation.rotateIfNeeded(sandbox);
        } catch (IOException e) {
            LOG.warnf("cannot rotate the logs of task %s: %s", sandbox.taskId(), e);
        }
    }

    private void sweepStrays() {
        try {
            sweep.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "sweeping for stray processes failed once");
        }
    }

    /** The work dir's mark for tasks' processes; a work dir that cannot keep one cannot keep tasks either. */
    private static AgentMark mark(Path workDir, String nodeId) {
        try {
            return AgentMark.in(workDir, nodeId);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write the agent's mark in " + workDir + ": " + e, e);
        }
    }

    private void sampleUsage() {
        try {
            supervisor.sampleUsage();
        } catch (RuntimeException e) {
            LOG.warnf(e, "measuring task usage failed once");
        }
        // On the same beat: ended tasks past the retention leave the node with their sandboxes.
        try {
            List<String> removed = supervisor.collectEnded(
                    new SandboxRetention(config.sandboxRetention(), config.sandboxesKept()), Instant.now());
            if (!removed.isEmpty()) {
                LOG.infof("removed the sandboxes of %d ended tasks past their retention (%s, at most %d kept)",
                        removed.size(), config.sandboxRetention(), config.sandboxesKept());
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "removing ended tasks' sandboxes failed once");
        }
    }

    /** True once the node's registration has gone out (the agent's readiness). */
    public synchronized boolean registered() {
        return announcer != null && announcer.registered();
    }

    /** True while the node's command partition is being read. */
    public boolean readingCommands() {
        NodeCommandConsumer commands = this.commands;
        return commands != null && commands.reading();
    }

    public NodeProfile profile() {
        return profile;
    }

    public TaskSupervisor supervisor() {
        return supervisor;
    }

    public NodeLease lease() {
        return lease;
    }

    public ProcessRuntime runtime() {
        return runtime;
    }

    /** The stray sweep; null until the agent has taken its tasks over. */
    public StraySweep sweep() {
        return sweep;
    }
}
