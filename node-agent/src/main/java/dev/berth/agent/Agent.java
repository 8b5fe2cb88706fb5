package dev.berth.agent;

import dev.berth.agent.kafka.CommandConsumer;
import dev.berth.agent.kafka.StatusPublisher;
import dev.berth.agent.node.NodeProfile;
import dev.berth.agent.node.NodeProfiles;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.task.TaskSupervisor;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.Message;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeRegistered;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent's lifecycle: on start it creates the topics if needed, fixes its command position,
 * registers the node and heartbeats; on stop it stops reading and reporting but leaves tasks
 * running (an agent restart must not take its tasks down).
 */
@ApplicationScoped
public class Agent {
    private static final Logger LOG = Logger.getLogger(Agent.class);

    @Inject
    AgentConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "quarkus.http.port")
    int httpPort;

    private NodeProfile profile;
    private StatusPublisher publisher;
    private TaskSupervisor supervisor;
    private CommandConsumer commands;
    private ScheduledExecutorService heartbeats;
    private volatile boolean registered;

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        profile = NodeProfiles.from(config, httpPort);
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        publisher = new StatusPublisher(bootstrapServers);
        Path sandboxes = Path.of(config.workDir()).toAbsolutePath().resolve("sandboxes");
        supervisor = new TaskSupervisor(profile.nodeId(), sandboxes, new ProcessRuntime(profile.host()), publisher);
        commands = new CommandConsumer(bootstrapServers, profile.nodeId(), supervisor, publisher);
        commands.start(Duration.ofSeconds(60));
        publisher.report(new NodeRegistered(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null,
                profile.nodeId(), profile.hostname(), profile.host(), profile.capacity(), profile.ports(),
                profile.attributes(), "best-effort", profile.agentUrl(), supervisor.runningTaskIds()));
        registered = true;
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "heartbeat"));
        long every = config.heartbeatInterval().toMillis();
        heartbeats.scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        LOG.infof("node %s registered: %s cpus, %s MiB, ports %s, attributes %s", profile.nodeId(),
                profile.capacity().cpus(), profile.capacity().mem(), profile.ports(), profile.attributes());
    }

    private void heartbeat() {
        try {
            publisher.report(new NodeHeartbeat(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null,
                    profile.nodeId(), profile.hostname(), profile.host(), profile.capacity(), profile.ports(),
                    profile.attributes(), "best-effort", profile.agentUrl(), supervisor.runningTaskIds()));
        } catch (RuntimeException e) {
            // A missed heartbeat is survivable; a dead heartbeat thread is not.
            LOG.warnf("heartbeat failed: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        if (commands != null) {
            commands.close();
        }
        if (supervisor != null) {
            supervisor.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    public boolean registered() {
        return registered;
    }

    public NodeProfile profile() {
        return profile;
    }

    public TaskSupervisor supervisor() {
        return supervisor;
    }
}
