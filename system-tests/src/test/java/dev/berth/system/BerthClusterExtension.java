package dev.berth.system;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JUnit 5: one {@link BerthCluster} for a whole test class (system tests share one installation per
 * class), with the node agents the class asks for, each on a free range of task ports. Registered on a
 * static field, it starts the cluster before the class's {@code @BeforeAll} methods and closes it after
 * its {@code @AfterAll} methods, also when the start failed half-way:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BerthClusterExtension berth = BerthClusterExtension.withVolumeService()
 *         .agent("lc-node-1", "zone=a")
 *         .agent("lc-node-2", "zone=b");
 *
 * @BeforeAll
 * static void awaitNodes() {
 *     berth.cluster().awaitNodesListed(DEADLINE, "lc-node-1", "lc-node-2");
 * }
 * }</pre>
 *
 * The cluster is {@link #cluster()}, or a {@link BerthCluster} parameter of any test or lifecycle method.
 * Agents a test starts later ({@link BerthCluster#startAgent(String, String)}) take free ports too, and
 * go with the cluster.
 */
public final class BerthClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    /** Which services the cluster starts, before its agents. */
    private enum Services { VOLUME_SERVICE, SCHEDULERS_ONLY, NONE }

    private record Agent(String nodeId, String attributes, Map<String, String> env, List<String> jvmOptions) {
    }

    private final Services services;
    private final int schedulers;
    private final Map<String, String> schedulerEnv = new LinkedHashMap<>();
    private final Map<String, String> volumeServiceEnv = new LinkedHashMap<>();
    private final List<Agent> agents = new ArrayList<>();
    private int standbySchedulers;
    private BerthCluster cluster;
    /** The class whose cluster it is: a nested class's callbacks pass through here too, and must not start another. */
    private String owner;

    private BerthClusterExtension(Services services, int schedulers) {
        this.services = services;
        this.schedulers = schedulers;
    }

    /** One scheduler, the volume service (over a database of its own) and the gateway: {@link BerthCluster#start()}. */
    public static BerthClusterExtension withVolumeService() {
        return new BerthClusterExtension(Services.VOLUME_SERVICE, 1);
    }

    /**
     * {@code count} schedulers (the first to start is the active one, the others stand by) and the gateway;
     * no volume service: {@link BerthCluster#startWithSchedulers(int)}.
     */
    public static BerthClusterExtension withSchedulers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one scheduler, not " + count);
        }
        return new BerthClusterExtension(Services.SCHEDULERS_ONLY, count);
    }

    /** The broker alone, and the agents asked for: for benchmarks that drive agents directly over Kafka. */
    public static BerthClusterExtension brokerOnly() {
        return new BerthClusterExtension(Services.NONE, 0);
    }

    /** An environment override for every scheduler, also those a test starts later (e.g. a node timeout). */
    public BerthClusterExtension schedulerEnv(String name, String value) {
        requireNotStarted();
        if (services == Services.NONE) {
            throw new IllegalStateException("a broker-only cluster has no scheduler");
        }
        schedulerEnv.put(name, value);
        return this;
    }

    /** An environment override for the volume service (e.g. a fault-injection delay). */
    public BerthClusterExtension volumeServiceEnv(String name, String value) {
        requireNotStarted();
        if (services != Services.VOLUME_SERVICE) {
            throw new IllegalStateException("only withVolumeService() starts a volume service");
        }
        volumeServiceEnv.put(name, value);
        return this;
    }

    /** More schedulers, started after the gateway, so that they stand by while the first one is active. */
    public BerthClusterExtension standbySchedulers(int count) {
        requireNotStarted();
        if (services == Services.NONE) {
            throw new IllegalStateException("a broker-only cluster has no scheduler");
        }
        standbySchedulers = count;
        return this;
    }

    /** A node agent, started once the services are: {@link BerthCluster#startAgent(String, String)}. */
    public BerthClusterExtension agent(String nodeId, String attributes) {
        return agent(nodeId, attributes, Map.of());
    }

    /** As {@link #agent(String, String)}, with environment overrides (e.g. {@code BERTH_AGENT_CPUS}). */
    public BerthClusterExtension agent(String nodeId, String attributes, Map<String, String> env) {
        return agent(nodeId, attributes, env, ServiceProcess.DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #agent(String, String, Map)}, the agent's JVM with these options. */
    public BerthClusterExtension agent(String nodeId, String attributes, Map<String, String> env,
                                       List<String> jvmOptions) {
        requireNotStarted();
        agents.add(new Agent(nodeId, attributes, Map.copyOf(env), List.copyOf(jvmOptions)));
        return this;
    }

    /** The class's cluster, from its first {@code @BeforeAll} method to its last {@code @AfterAll} one. */
    public BerthCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("no cluster: the extension starts one before a class's @BeforeAll "
                    + "methods, when registered on a static field with @RegisterExtension");
        }
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (owner != null) {
            return;
        }
        owner = context.getUniqueId();
        BerthCluster started = startServices();
        try {
            for (int i = 0; i < standbySchedulers; i++) {
                started.startScheduler();
            }
            for (Agent agent : agents) {
                started.startAgent(agent.nodeId(), agent.attributes(), agent.env(), agent.jvmOptions());
            }
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
        cluster = started;
    }

    /** The services; a start that fails closes what it had started before it throws. */
    private BerthCluster startServices() {
        return switch (services) {
            case VOLUME_SERVICE -> BerthCluster.start(schedulerEnv, volumeServiceEnv);
            case SCHEDULERS_ONLY -> BerthCluster.startWithSchedulers(schedulers, schedulerEnv);
            case NONE -> BerthCluster.brokerOnly();
        };
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!context.getUniqueId().equals(owner)) {
            return;
        }
        owner = null;
        if (cluster != null) {
            try {
                cluster.close();
            } finally {
                cluster = null;
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == BerthCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return cluster();
    }

    private void requireNotStarted() {
        if (owner != null) {
            throw new IllegalStateException("the cluster has started: ask for what it needs when it is declared");
        }
    }
}
