package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;

import dev.berth.testkit.Directories;
import dev.berth.testkit.FreePorts;
import dev.berth.testkit.KafkaBroker;
import dev.berth.testkit.Postgres;
import dev.berth.testkit.SharedInfra;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole Berth installation for a test: a real broker of its own and a database of its own on the
 * JVM's PostgreSQL server (both in this JVM, from the testkit), and the scheduler(s), volume service,
 * gateway and node agents as separate processes. Test classes get one through
 * {@link BerthClusterExtension}.
 *
 * <p>Its own broker, not the JVM's shared one: the services rebuild their state from the compacted
 * topics, so a scheduler started on a broker an earlier class used would take that class's apps,
 * nodes, deployments and volumes for its own, and place the apps it left running on this class's
 * agents. A broker costs about two seconds to start; one per installation leaves nothing of one
 * class for the next, whatever state a failing class ends in.
 */
public final class BerthCluster implements AutoCloseable {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private final Path kafkaDir = Directories.scratch("kafka-");
    private final KafkaBroker kafka = KafkaBroker.start(kafkaDir);
    private final List<ServiceProcess> services = new ArrayList<>();
    private final Map<String, ServiceProcess> agents = new HashMap<>();
    private final Map<String, AgentStart> agentStarts = new HashMap<>();
    private final List<ServiceProcess> schedulers = new ArrayList<>();
    private Postgres postgres;
    private ServiceProcess gateway;
    private ServiceProcess volumes;
    private Map<String, String> volumeEnv = Map.of();
    private int volumePort;
    /** The directory every node and the volume service share for external volumes (NFS in production). */
    private Path sharedVolumes;
    private Map<String, String> schedulerEnv = Map.of();
    private boolean closed;

    /** How an agent was first started, so that it can be started again as the same node. */
    private record AgentStart(Map<String, String> env, List<String> jvmOptions, int httpPort) {
    }

    /** One scheduler, the volume service (over PostgreSQL) and the gateway. */
    public static BerthCluster start() {
        return start(Map.of(), Map.of());
    }

    /**
     * One scheduler and the volume service, each with these environment overrides, and the gateway.
     * A directory stands in for the mount every node shares: the volume service and every agent
     * started later get it as their shared volume root.
     */
    public static BerthCluster start(Map<String, String> schedulerEnv, Map<String, String> volumeServiceEnv) {
        BerthCluster cluster = new BerthCluster();
        cluster.schedulerEnv = Map.copyOf(schedulerEnv);
        try {
            cluster.startScheduler();
            cluster.postgres = SharedInfra.postgres();
            // A database of its own, for the same reason as its own broker: the volumes of an earlier
            // class are none of this installation's.
            String database = cluster.postgres.createDatabase("berth_cluster_" + DATABASES.incrementAndGet());
            cluster.sharedVolumes = Directories.scratch("shared-volumes-");
            Map<String, String> volumeEnv = new HashMap<>(cluster.serviceEnv());
            volumeEnv.put("QUARKUS_DATASOURCE_REACTIVE_URL", cluster.postgres.reactiveUrl(database));
            volumeEnv.put("QUARKUS_DATASOURCE_JDBC_URL", cluster.postgres.jdbcUrl(database));
            volumeEnv.put("QUARKUS_DATASOURCE_USERNAME", cluster.postgres.username());
            volumeEnv.put("QUARKUS_DATASOURCE_PASSWORD", cluster.postgres.password());
            volumeEnv.put("BERTH_VOLUME_SHARED_ROOT", cluster.sharedVolumes.toString());
            volumeEnv.putAll(volumeServiceEnv);
            cluster.volumeEnv = Map.copyOf(volumeEnv);
            cluster.volumePort = FreePorts.next();
            cluster.volumes = cluster.add(ServiceProcess.start("volume-service", "volume-service", cluster.volumePort,
                    cluster.volumeEnv));
            cluster.startGateway();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * {@code count} schedulers (the first to start is the active one, the others stand by) and the
     * gateway; no volume service, so no PostgreSQL either.
     */
    public static BerthCluster startWithSchedulers(int count) {
        return startWithSchedulers(count, Map.of());
    }

    /**
     * As {@link #startWithSchedulers(int)}, each scheduler with these environment overrides (e.g.
     * {@code BERTH_SCHEDULER_NODE_TIMEOUT}), also those started later by {@link #startScheduler()}.
     */
    public static BerthCluster startWithSchedulers(int count, Map<String, String> schedulerEnv) {
        BerthCluster cluster = new BerthCluster();
        cluster.schedulerEnv = Map.copyOf(schedulerEnv);
        try {
            for (int i = 0; i < count; i++) {
                cluster.startScheduler();
            }
            cluster.startGateway();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The broker alone, no service: for benchmarks that drive agents directly over Kafka. */
    public static BerthCluster brokerOnly() {
        return new BerthCluster();
    }

    /**
     * Starts one more scheduler process and waits until it is ready: active if no other scheduler
     * leads, standby otherwise.
     */
    public ServiceProcess startScheduler() {
        String name = "scheduler-" + (schedulers.size() + 1);
        Map<String, String> env = new HashMap<>(serviceEnv());
        env.putAll(schedulerEnv);
        ServiceProcess scheduler = add(ServiceProcess.start(name, "scheduler-service", FreePorts.next(), env));
        schedulers.add(scheduler);
        return scheduler;
    }

    /** The gateway, checking tokens against the JVM's shared Keycloak (Http talks as its administrator). */
    private void startGateway() {
        gateway = startGateway("gateway", Map.of());
    }

    /** One more gateway on the same broker, with environment overrides (e.g. authentication off, for a baseline). */
    public ServiceProcess startGateway(String name, Map<String, String> overrides) {
        return startGateway(name, overrides, ServiceProcess.DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #startGateway(String, Map)}, with these JVM options (a benchmark's, as the local run uses). */
    public ServiceProcess startGateway(String name, Map<String, String> overrides, List<String> jvmOptions) {
        Map<String, String> env = new HashMap<>(serviceEnv());
        // Its own service identity, for the agents' log endpoints (the realm file's demo secret).
        env.put("QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET", SharedKeycloak.GATEWAY_SECRET);
        if (volumes != null) {
            // Where volumes' histories are asked for.
            env.put("BERTH_GATEWAY_VOLUME_SERVICE_URL", "http://127.0.0.1:" + volumePort);
        }
        env.putAll(overrides);
        return add(ServiceProcess.start(name, "gateway", FreePorts.next(), env, jvmOptions));
    }

    /**
     * Starts a router (docs/routing.md) on the cluster's broker: HAProxy routing on a free port of its
     * own, its work directory under the test's temporary files. Several may run side by side.
     */
    public Router startRouter(String name) {
        return startRouter(name, ServiceProcess.DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #startRouter(String)}, with these JVM options (a benchmark's, as the local run uses). */
    public Router startRouter(String name, List<String> jvmOptions) {
        int port = FreePorts.next();
        Map<String, String> env = new HashMap<>(serviceEnv());
        env.put("BERTH_ROUTER_PORT", String.valueOf(port));
        env.put("BERTH_ROUTER_BIND_ADDRESS", "127.0.0.1");
        Path workDir;
        try {
            workDir = Files.createTempDirectory("berth-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("BERTH_ROUTER_WORK_DIR", workDir.toString());
        return new Router(add(ServiceProcess.start(name, "router", FreePorts.next(), env, jvmOptions)),
                "http://127.0.0.1:" + port, workDir);
    }

    /**
     * A running router: its process, the address requests are routed on, and its work directory
     * (HAProxy's configuration and its Runtime API socket, {@code haproxy.sock}).
     */
    public record Router(ServiceProcess process, String url, Path workDir) {
    }

    /**
     * Starts a node agent with its own work dir, a free range of 200 task ports
     * ({@link FreePorts#taskRange()}: below 32768, and no other agent's of this JVM), 4 cpus and 4096 MiB.
     */
    public ServiceProcess startAgent(String nodeId, String attributes) {
        return startAgent(nodeId, attributes, Map.of());
    }

    /** As {@link #startAgent(String, String)}, with environment overrides (e.g. {@code BERTH_AGENT_CPUS}). */
    public ServiceProcess startAgent(String nodeId, String attributes, Map<String, String> overrides) {
        return startAgent(nodeId, attributes, overrides, ServiceProcess.DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #startAgent(String, String, Map)}, the agent's JVM with these options. */
    public ServiceProcess startAgent(String nodeId, String attributes, Map<String, String> overrides,
                                     List<String> jvmOptions) {
        return startAgent(nodeId, attributes, FreePorts.taskRange().first(), overrides, jvmOptions);
    }

    /**
     * Starts a node agent whose 200 task ports begin at {@code firstPort}: for a test that needs those
     * very ports; any other takes a free range ({@link #startAgent(String, String)}). Keep
     * {@code firstPort} below 32768: Linux hands out local ports of outgoing connections from 32768 up,
     * so a task given a port in that range can find it taken by any client on the machine
     * (DeploymentsIT's servers failed with "Address already in use" that way).
     */
    public ServiceProcess startAgent(String nodeId, String attributes, int firstPort) {
        return startAgent(nodeId, attributes, firstPort, Map.of());
    }

    /** As {@link #startAgent(String, String, int)}, with environment overrides (e.g. {@code BERTH_AGENT_CPUS}). */
    public ServiceProcess startAgent(String nodeId, String attributes, int firstPort, Map<String, String> overrides) {
        return startAgent(nodeId, attributes, firstPort, overrides, ServiceProcess.DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #startAgent(String, String, int, Map)}, the agent's JVM with these options. */
    public ServiceProcess startAgent(String nodeId, String attributes, int firstPort, Map<String, String> overrides,
                                     List<String> jvmOptions) {
        Path workDir = Directories.scratch("agent-" + nodeId + "-");
        Map<String, String> env = new HashMap<>(serviceEnv());
        env.put("BERTH_AGENT_NODE_ID", nodeId);
        env.put("BERTH_AGENT_HOST", "127.0.0.1");
        env.put("BERTH_AGENT_WORK_DIR", workDir.toString());
        env.put("BERTH_AGENT_PORTS", firstPort + "-" + (firstPort + FreePorts.TASK_RANGE_SIZE - 1));
        env.put("BERTH_AGENT_ATTRIBUTES", attributes);
        env.put("BERTH_AGENT_CPUS", "4");
        env.put("BERTH_AGENT_MEM", "4096");
        if (sharedVolumes != null) {
            env.put("BERTH_AGENT_SHARED_VOLUME_ROOT", sharedVolumes.toString());
        }
        // No bridge unless a test asks for one (with a name and subnet of its own, removed after it): the
        // agents of one machine must not share one, and a test must leave none behind.
        env.put("BERTH_AGENT_BRIDGE_NAME", "none");
        env.putAll(overrides);
        AgentStart start = new AgentStart(Map.copyOf(env), List.copyOf(jvmOptions), FreePorts.next());
        agentStarts.put(nodeId, start);
        return launchAgent(nodeId, start);
    }

    /**
     * Starts the node's agent again as it was first started: the same node id, work dir, ports,
     * environment, JVM options and HTTP port, as an operator (or a supervisor, after a crash) would.
     * Its previous process must have ended: {@link ServiceProcess#kill()} it first.
     */
    public ServiceProcess restartAgent(String nodeId) {
        ServiceProcess previous = agents.get(nodeId);
        if (previous == null) {
            throw new IllegalArgumentException("no agent " + nodeId + " was started");
        }
        if (previous.isAlive()) {
            throw new IllegalStateException(previous + " still runs: kill it before starting it again");
        }
        return launchAgent(nodeId, agentStarts.get(nodeId));
    }

    private ServiceProcess launchAgent(String nodeId, AgentStart start) {
        ServiceProcess agent = add(ServiceProcess.start("agent-" + nodeId, "node-agent", start.httpPort(),
                start.env(), start.jvmOptions()));
        agents.put(nodeId, agent);
        return agent;
    }

    private ServiceProcess add(ServiceProcess service) {
        services.add(service);
        return service;
    }

    /**
     * What every service gets besides: the broker, and the realm whose tokens its door checks (the
     * JVM's shared Keycloak, started here if it is not yet: services verify against it from the start).
     */
    private Map<String, String> serviceEnv() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "QUARKUS_OIDC_AUTH_SERVER_URL", SharedKeycloak.realmUrl());
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public ServiceProcess gateway() {
        return gateway;
    }

    /** The first scheduler started. */
    public ServiceProcess scheduler() {
        return schedulers.get(0);
    }

    /** Every scheduler started, in start order, also those since killed. */
    public List<ServiceProcess> schedulers() {
        return List.copyOf(schedulers);
    }

    /** The live scheduler whose {@code GET /scheduler/role} says {@code active}, if any. */
    public Optional<ServiceProcess> activeScheduler() {
        for (ServiceProcess scheduler : schedulers) {
            if (scheduler.isAlive() && "active".equals(roleOf(scheduler))) {
                return Optional.of(scheduler);
            }
        }
        return Optional.empty();
    }

    /** Waits until one live scheduler reports itself active, and returns it. */
    public ServiceProcess awaitActiveScheduler(Duration timeout) {
        return Awaitility.await("an active scheduler").atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(this::activeScheduler, Optional::isPresent).orElseThrow();
    }

    /**
     * The role a scheduler reports ({@code active}, {@code standby}, …), or {@code unreachable}; asked as
     * a Berth service, since the endpoint refuses people.
     */
    public static String roleOf(ServiceProcess scheduler) {
        try {
            Http.Response response = Http.asService().get(scheduler.url() + "/scheduler/role");
            return response.status() == 200 ? response.json().path("role").asText() : "unreachable";
        } catch (UncheckedIOException e) {
            return "unreachable";
        }
    }

    public ServiceProcess volumes() {
        return volumes;
    }

    /**
     * Starts the volume service again on the same database, port and shared root, with these
     * overrides of its first environment (e.g. without a fault-injection delay). Its previous
     * process must have ended: {@link ServiceProcess#kill()} it first.
     */
    public ServiceProcess restartVolumeService(Map<String, String> overrides) {
        if (volumes == null || volumes.isAlive()) {
            throw new IllegalStateException("the volume service must have been started and killed first");
        }
        Map<String, String> env = new HashMap<>(volumeEnv);
        env.putAll(overrides);
        volumes = add(ServiceProcess.start("volume-service", "volume-service", volumePort, env));
        return volumes;
    }

    /** The directory standing in for the storage every node shares (external volumes live under it). */
    public Path sharedVolumeRoot() {
        return sharedVolumes;
    }

    /** The node agent's work dir (its sandboxes, checkpoints and local volumes live under it). */
    public Path agentWorkDir(String nodeId) {
        return Path.of(agentStarts.get(nodeId).env().get("BERTH_AGENT_WORK_DIR"));
    }

    /** The host ports the node's agent gives its tasks ({@code BERTH_AGENT_PORTS}). */
    public FreePorts.PortRange taskPorts(String nodeId) {
        String[] range = agentStarts.get(nodeId).env().get("BERTH_AGENT_PORTS").split("-");
        return new FreePorts.PortRange(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
    }

    /** The node's agent: the latest process started for it. */
    public ServiceProcess agent(String nodeId) {
        return agents.get(nodeId);
    }

    /** Stops everything it started, also after a start that failed half-way; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // Stop in reverse start order: agents first, so nothing reacts to a half-stopped cluster.
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).close();
            }
            // Tasks outlive their agent by design; a test that failed half-way must not leave its own
            // running on the machine for the next one.
            agents.keySet().forEach(TaskTraces::killTasksLeft);
            // Local volumes stay mounted after their agent by design; a test's nodes are gone for good.
            agentStarts.keySet().forEach(nodeId -> VolumeMounts.unmountAll(agentWorkDir(nodeId)));
        } finally {
            // Last: the services and the test's own clients are its users.
            kafka.close();
            Directories.deleteQuietly(kafkaDir);
        }
    }

    /** Waits until the gateway lists every one of these nodes. */
    public void awaitNodesListed(Duration timeout, String... nodeIds) {
        Awaitility.await("nodes listed: " + String.join(", ", nodeIds)).atMost(timeout).until(() -> {
            String nodes = Http.get(gateway().url() + "/v1/nodes").body();
            return java.util.Arrays.stream(nodeIds).allMatch(id -> nodes.contains("\"" + id + "\""));
        });
    }

    /**
     * Skips the calling test (saying why on stdout) unless every one of these nodes isolates with
     * namespaces: without them a node mounts no volumes and enforces nothing.
     */
    public void assumeNamespaces(String test, String... nodeIds) {
        for (String nodeId : nodeIds) {
            String isolation = Awaitility.await(nodeId + " listed").atMost(Duration.ofSeconds(60))
                    .until(() -> Http.get(gateway().url() + "/v1/nodes/" + nodeId), r -> r.status() == 200)
                    .json().path("isolation").asText();
            if (isolation.equals("best-effort")) {
                String why = test + " skipped: " + nodeId + " isolates best-effort here (no writable cgroups or no "
                        + "namespaces), so it mounts no volumes and enforces nothing";
                System.out.println(why);
                org.junit.jupiter.api.Assumptions.assumeTrue(false, why);
            }
        }
    }

    /** The tasks an agent knows ({@code GET /v1/agent/tasks}): a JSON array. */
    public JsonNode agentTasks(String nodeId) {
        return Http.asService().get(agent(nodeId).url() + "/v1/agent/tasks").json();
    }

    /** The app's tasks as the gateway shows them (none if there is no such app). */
    public List<JsonNode> tasks(String appId) {
        Http.Response response = Http.get(gateway().url() + "/v1/apps" + appId);
        List<JsonNode> tasks = new ArrayList<>();
        if (response.status() == 200) {
            response.json().path("tasks").forEach(tasks::add);
        }
        return tasks;
    }

    /** Task id → node of the app's tasks that run and are wanted, as the gateway shows them. */
    public Map<String, String> running(String appId) {
        Map<String, String> running = new HashMap<>();
        for (JsonNode task : tasks(appId)) {
            if (task.path("state").asText().equals("RUNNING") && task.path("desired").asText().equals("RUN")) {
                running.put(task.path("id").asText(), task.path("node").asText());
            }
        }
        return running;
    }
}
