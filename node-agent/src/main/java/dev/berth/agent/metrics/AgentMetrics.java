package dev.berth.agent.metrics;

import dev.berth.agent.task.StatusSink;
import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node agent's Prometheus metrics ({@code /q/metrics}, docs/observability.md): how long launches
 * take, how many tasks it runs, OOM kills, health-check results, how old its last heartbeat is, and
 * its dead letters.
 *
 * <p>Why most of it is read off the task statuses the agent reports ({@link #observing}): the
 * supervisor already says STARTING when a launch arrives, RUNNING once the process runs and why a task
 * failed, so the metrics follow exactly what the cluster is told, and the supervisor and the runtime
 * stay free of Micrometer.
 */
@ApplicationScoped
public class AgentMetrics {
    private final MeterRegistry registry;
    private final Timer launch;
    private final Counter probesPassed;
    private final Counter probesFailed;
    /** Tasks reported STARTING and not yet RUNNING or ended, by task id: when each was reported. */
    private final Map<String, Long> starting = new ConcurrentHashMap<>();
    private volatile long heartbeatAcknowledgedAt;
    private volatile boolean heartbeatAcknowledged;

    @Inject
    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.launch = Timer.builder("berth.agent.launch")
                .description("Time from a launch's arrival (STARTING) until its process runs (RUNNING)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        this.probesPassed = probes("passed");
        this.probesFailed = probes("failed");
        Gauge.builder("berth.agent.heartbeat.age", this, AgentMetrics::heartbeatAgeSeconds)
                .description("Seconds since the broker acknowledged this node's last registration or heartbeat")
                .baseUnit("seconds").register(registry);
        // At 0 from the start: a first dead letter is then an increase (DeadLetters.countedTopics).
        DeadLetters.countedTopics().forEach(this::deadLetters);
    }

    private Counter probes(String result) {
        return Counter.builder("berth.agent.health.checks")
                .description("Health-check probes run on this node's tasks, by result (passed, failed)")
                .tag("result", result).register(registry);
    }

    /**
     * {@code berth_agent_running_tasks}: the node's tasks that have not ended (starting, running, being
     * killed), the same ones each heartbeat lists.
     */
    public void countRunning(Supplier<Integer> notEnded) {
        Gauge.builder("berth.agent.running.tasks", notEnded, s -> s.get())
                .description("Tasks on this node that have not ended (starting, running or being killed)")
                .strongReference(true).register(registry);
    }

    /** The task statuses, passed on to {@code sink} unchanged and counted on the way. */
    public StatusSink observing(StatusSink sink) {
        return status -> {
            sink.report(status);
            observe(status, System.nanoTime());
        };
    }

    void observe(TaskStatus status, long now) {
        TaskState state = status.state();
        if (state == TaskState.STARTING) {
            starting.putIfAbsent(status.taskId(), now);
            // At 0 once the team has a task here: its first OOM kill is then an increase Prometheus sees
            // (as with the dead-letter counters, DeadLetters.countedTopics).
            oomKills(status.appId());
        } else if (state == TaskState.RUNNING) {
            Long since = starting.remove(status.taskId());
            // A task re-adopted after an agent restart is reported RUNNING without a launch: nothing to time.
            if (since != null) {
                launch.record(now - since, TimeUnit.NANOSECONDS);
            }
        } else if (state.isTerminal()) {
            starting.remove(status.taskId());
            if (state == TaskState.FAILED && status.reason() != null
                    && status.reason().startsWith(TaskStatus.OOM_KILLED)) {
                oomKills(status.appId()).increment();
            }
        }
    }

    private Counter oomKills(String appId) {
        return Counter.builder("berth.agent.oom.kills")
                .description("Tasks the kernel killed for using more memory than their limit, by team")
                .tag("team", AppIds.team(appId)).register(registry);
    }

    /**
     * Shows the command consumer's own Kafka metrics (Micrometer's Kafka binder:
     * {@code kafka_consumer_fetch_manager_records_lag} of its partition of {@code berth.node-commands} among
     * them) until the returned binding is closed. Quarkus binds only connector clients by itself.
     */
    public KafkaClientMetrics watch(KafkaConsumer<String, byte[]> consumer) {
        KafkaClientMetrics bound = new KafkaClientMetrics(consumer);
        bound.bindTo(registry);
        return bound;
    }

    /** One health-check probe of a task's check finished. */
    public void probed(boolean passed) {
        (passed ? probesPassed : probesFailed).increment();
    }

    /** The broker acknowledged a registration or heartbeat of this node (on the producer's thread). */
    public void heartbeatAcknowledged() {
        heartbeatAcknowledgedAt = System.nanoTime();
        heartbeatAcknowledged = true;
    }

    private double heartbeatAgeSeconds() {
        return heartbeatAcknowledged ? (System.nanoTime() - heartbeatAcknowledgedAt) / 1e9 : Double.NaN;
    }

    /** A command the agent cannot read or carry out went to the dead-letter topic; {@code sourceTopic} it came from. */
    public void deadLettered(String sourceTopic) {
        deadLetters(sourceTopic).increment();
    }

    private Counter deadLetters(String sourceTopic) {
        return Counter.builder(DeadLetters.METRIC).description(DeadLetters.METRIC_DESCRIPTION).tag("topic", sourceTopic)
                .register(registry);
    }
}
