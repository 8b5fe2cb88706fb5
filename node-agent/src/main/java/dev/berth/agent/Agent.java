package dev.berth.agent;

import dev.berth.agent.command.CommandConsumer;
import dev.berth.agent.node.NodeAnnouncer;
import dev.berth.agent.node.NodeProfile;
import dev.berth.agent.node.NodeProfiles;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.runtime.TaskRuntime;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.status.StatusPublisher;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.contracts.kafka.TopicBootstrap;
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

import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's lifecycle, and the one place its parts are wired together. On start: create the
 * topics if needed, fix the position in the node's command partition, register the node, heartbeat.
 * On stop: stop reading and reporting, but leave the tasks running (an agent restart must not take
 * its tasks down; re-adopting them is the next step).
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

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Only a placeholder until the server listens; see {@link #onHttpServerStart}. */
    @ConfigProperty(name = "quarkus.http.port")
    int configuredHttpPort;

    private TaskRuntime runtime;
    private volatile NodeProfile profile;
    private StatusPublisher publisher;
    private volatile TaskSupervisor supervisor;
    private volatile CommandConsumer commands;
    private NodeAnnouncer announcer;
    private boolean commandsPositioned;

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        runtime = new ProcessRuntime(config.host());
        profile = NodeProfiles.from(config, runtime.isolation(), configuredHttpPort);
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        publisher = new StatusPublisher(bootstrapServers, profile.nodeId());
        Sandboxes sandboxes = Sandboxes.under(Path.of(config.workDir()));
        supervisor = new TaskSupervisor(profile.nodeId(), sandboxes, runtime, publisher);
        commands = new CommandConsumer(bootstrapServers, profile.nodeId(), supervisor::handle, publisher);
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
        if (!commandsPositioned || announcer != null || port <= 0) {
            return;
        }
        profile = NodeProfiles.from(config, runtime.isolation(), port);
        announcer = new NodeAnnouncer(profile, supervisor::runningTaskIds, publisher::report);
        announcer.start(config.heartbeatInterval());
        LOG.infof("node %s announced at %s: %s cpus, %s MiB mem, %s MiB disk, ports %d-%d, attributes %s, "
                        + "isolation %s", profile.nodeId(), profile.agentUrl(), profile.capacity().cpus(),
                profile.capacity().mem(), profile.capacity().disk(), profile.ports().begin(), profile.ports().end(),
                profile.attributes(), profile.isolation());
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        NodeAnnouncer announcer;
        synchronized (this) {
            announcer = this.announcer;
        }
        if (announcer != null) {
            announcer.close();
        }
        if (commands != null) {
            commands.close();
        }
        if (supervisor != null) {
            supervisor.close(); // stops watching; the tasks themselves keep running
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    /** True once the node's registration has gone out (the agent's readiness). */
    public synchronized boolean registered() {
        return announcer != null && announcer.registered();
    }

    /** True while the node's command partition is being read. */
    public boolean readingCommands() {
        CommandConsumer commands = this.commands;
        return commands != null && commands.reading();
    }

    public NodeProfile profile() {
        return profile;
    }

    public TaskSupervisor supervisor() {
        return supervisor;
    }
}
