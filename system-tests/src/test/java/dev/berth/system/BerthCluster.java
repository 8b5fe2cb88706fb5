package dev.berth.system;

import dev.berth.testkit.Directories;
import dev.berth.testkit.FreePorts;
import dev.berth.testkit.KafkaBroker;
import dev.berth.testkit.Postgres;
import dev.berth.testkit.SharedInfra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole Berth installation for a test: the real broker and PostgreSQL from the testkit (in this
 * JVM), and the scheduler, volume service, gateway and node agents as separate processes.
 */
public final class BerthCluster implements AutoCloseable {
    private final KafkaBroker kafka = SharedInfra.kafka();
    private final Postgres postgres = SharedInfra.postgres();
    private final List<ServiceProcess> services = new ArrayList<>();
    private final Map<String, ServiceProcess> agents = new HashMap<>();
    private ServiceProcess scheduler;
    private ServiceProcess gateway;
    private ServiceProcess volumes;

    public static BerthCluster start() {
        BerthCluster cluster = new BerthCluster();
        try {
            cluster.scheduler = cluster.add(ServiceProcess.start("scheduler", "scheduler-service", FreePorts.next(),
                    cluster.kafkaEnv()));
            Map<String, String> volumeEnv = new HashMap<>(cluster.kafkaEnv());
            volumeEnv.put("QUARKUS_DATASOURCE_REACTIVE_URL", cluster.postgres.reactiveUrl());
            volumeEnv.put("QUARKUS_DATASOURCE_JDBC_URL", cluster.postgres.jdbcUrl());
            volumeEnv.put("QUARKUS_DATASOURCE_USERNAME", cluster.postgres.username());
            volumeEnv.put("QUARKUS_DATASOURCE_PASSWORD", cluster.postgres.password());
            cluster.volumes = cluster.add(ServiceProcess.start("volume-service", "volume-service", FreePorts.next(),
                    volumeEnv));
            cluster.gateway = cluster.add(ServiceProcess.start("gateway", "gateway", FreePorts.next(),
                    cluster.kafkaEnv()));
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts a node agent with its own work dir and a port range of 200 ports. */
    public ServiceProcess startAgent(String nodeId, String attributes, int firstPort) {
        Path workDir = Directories.scratch("agent-" + nodeId + "-");
        Map<String, String> env = new HashMap<>(kafkaEnv());
        env.put("BERTH_AGENT_NODE_ID", nodeId);
        env.put("BERTH_AGENT_HOST", "127.0.0.1");
        env.put("BERTH_AGENT_WORK_DIR", workDir.toString());
        env.put("BERTH_AGENT_PORTS", firstPort + "-" + (firstPort + 199));
        env.put("BERTH_AGENT_ATTRIBUTES", attributes);
        env.put("BERTH_AGENT_CPUS", "4");
        env.put("BERTH_AGENT_MEM", "4096");
        ServiceProcess agent = add(ServiceProcess.start("agent-" + nodeId, "node-agent", FreePorts.next(), env));
        agents.put(nodeId, agent);
        return agent;
    }

    private ServiceProcess add(ServiceProcess service) {
        services.add(service);
        return service;
    }

    private Map<String, String> kafkaEnv() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public ServiceProcess gateway() {
        return gateway;
    }

    public ServiceProcess scheduler() {
        return scheduler;
    }

    public ServiceProcess volumes() {
        return volumes;
    }

    public ServiceProcess agent(String nodeId) {
        return agents.get(nodeId);
    }

    @Override
    public void close() {
        // Stop in reverse start order: agents first, so nothing reacts to a half-stopped cluster.
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
    }
}
